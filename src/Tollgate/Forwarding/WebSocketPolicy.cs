using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tollgate.Keys;

namespace Tollgate.Forwarding;

/// <summary>
/// What a protocol switch (a WebSocket handshake, e.g. OpenAI Realtime) on a pass-through route must meet. A
/// browser's <c>Origin</c> must be on <c>general_settings.allowed_websocket_origins</c> (none by default: only
/// clients that send no Origin, i.e. not browsers, may connect; <c>"*"</c> allows any). And since the gateway
/// does not meter a session's frames yet, a key whose limits depend on metering (<c>max_budget</c>,
/// <c>tpm_limit</c>) or on knowing the model (<c>models</c>) may not open one. Nor may a call that guardrails
/// apply to (the route's or the key's): the frames would pass unexamined.
/// </summary>
internal sealed class WebSocketPolicy(IReadOnlyList<string> allowedOrigins)
{
    public const string AnyOrigin = "*";

    /// <summary>HTTP/1.1 <c>Upgrade</c> or HTTP/2 extended CONNECT: YARP would tunnel it.</summary>
    public static bool IsHandshake(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
        || context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true };

    /// <summary>Why the handshake is refused (a 403 message), or null.</summary>
    /// <param name="request">The handshake.</param>
    /// <param name="key">The caller's stored key; null for the master key, an open gateway or an endpoint without auth.</param>
    /// <param name="guarded">Guardrails apply to the call.</param>
    public string? Refusal(HttpRequest request, StoredKey? key, bool guarded)
    {
        var origin = request.Headers.Origin;
        if (origin.Count > 0 && !IsAllowed(origin.ToString()))
        {
            return "This WebSocket handshake's Origin is not allowed: list it in general_settings.allowed_websocket_origins.";
        }

        return guarded
            ? "Guardrails apply to this call, and the gateway does not examine WebSocket frames, so a session cannot be opened here; use the HTTP API instead."
            : KeyRefusal(key);
    }

    /// <summary>Why this key may not open a session (a 403 message), or null; checked before the key's other limits, which a session would step around.</summary>
    public static string? KeyRefusal(StoredKey? key) =>
        key is not null && (key.MaxBudget is not null || key.TpmLimit is not null || key.Models.Count > 0)
            ? "WebSocket sessions are not metered by the gateway yet, so a key with max_budget, tpm_limit or a models list cannot open one; use a key without them."
            : null;

    private bool IsAllowed(string origin)
    {
        foreach (var allowed in allowedOrigins)
        {
            if (allowed == AnyOrigin || string.Equals(allowed, origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
