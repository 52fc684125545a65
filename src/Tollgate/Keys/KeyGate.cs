using System.Data.Common;
using System.Globalization;
using Tollgate.Calls;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Guardrails;

namespace Tollgate.Keys;

/// <summary>
/// Step (2) of the pass-through flow: who the caller is and whether the call may go on. Reads the virtual key
/// from the first place that carries one and checks it (401), then the key's allowed routes and models (403;
/// <see cref="ModelAccess"/>: a body the model is read from that parsers could read differently is a 400),
/// budget (400) and request limits (429), taking a parallel slot held to the end of the call. Without auth, notes
/// which key carriers hold one of our keys, so they are dropped. Last (2b), refuses a WebSocket handshake from a
/// browser origin not allowed, or by a key whose limits need metering (<see cref="WebSocketPolicy"/>, 403).
/// </summary>
internal sealed class KeyGate(
    IVirtualKeyAuthenticator keys, KeyBudget budgets, IKeyLimiter limiter, GatewayLimits limits, WebSocketPolicy webSockets)
{
    private static readonly GatewayFailure KeyStoreUnavailable =
        new(GatewayError.KeyStoreUnavailable, "The gateway cannot check this key right now: its database is unreachable. Retry shortly.");

    /// <returns>Null once <paramref name="call"/> holds its <see cref="PassThroughCall.Admission"/>; otherwise the refusal.</returns>
    public async ValueTask<GatewayFailure?> AdmitAsync(PassThroughCall call)
    {
        try
        {
            return call.Route.RequiresVirtualKey ? await AdmitWithKeyAsync(call) : await AdmitWithoutAuthAsync(call);
        }
        catch (KeyStoreUnavailableException)
        {
            return KeyStoreUnavailable;
        }
        catch (DbException)
        {
            // A key's budget window could not be restarted.
            return Hosting.DatabaseOutageMiddleware.Outage;
        }
    }

    private async ValueTask<GatewayFailure?> AdmitWithKeyAsync(PassThroughCall call)
    {
        var context = call.Context;
        var check = await keys.CheckAsync(VirtualKeyReader.Read(context.Request, out _), context.RequestAborted);
        if (!check.Allowed)
        {
            return new GatewayFailure(GatewayError.Unauthenticated, AuthMessage(check.Outcome));
        }

        if (check.Key is not { } key)
        {
            // The master key, or an open gateway: no limits of its own.
            call.Admission = new(check.Hash, null, null, KeyCarriers.All, null);
            return WebSocketRefusal(call);
        }

        call.Admission = new(check.Hash, key.KeyAlias, key, KeyCarriers.All, null);
        if (await CheckPolicyAsync(call, key) is { } refused)
        {
            return refused;
        }

        var decision = await limiter.TryAcquireAsync(key, context.RequestAborted);
        if (!decision.Allowed)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
            return new GatewayFailure(GatewayError.RateLimited, decision.Message!) { Header = new("Retry-After", seconds.ToString(CultureInfo.InvariantCulture)) };
        }

        call.Admission = call.Admission with { ParallelSlot = decision.Lease };
        return WebSocketRefusal(call);
    }

    /// <summary>Without auth the client's credentials go upstream, unless they hold one of our keys.</summary>
    private async ValueTask<GatewayFailure?> AdmitWithoutAuthAsync(PassThroughCall call)
    {
        var context = call.Context;
        var request = context.Request;
        var route = call.Route;

        // If the store cannot say, a carrier may hold one of our keys: refuse rather than forward it (KeyStoreUnavailable).
        var ours = await GatewayKeyCarriers.FindAsync(request, route.ForwardClientHeaders, keys, context.RequestAborted);
        call.Admission = new(null, null, null, ours, null);
        if (route.ForwardClientHeaders && VirtualKeyReader.Read(request, out _) is { } candidate)
        {
            var check = await keys.CheckAsync(candidate, context.RequestAborted);
            if (check.Outcome == KeyCheckOutcome.Accepted)
            {
                call.Admission = call.Admission with { KeyHash = check.Hash, KeyAlias = check.Key?.KeyAlias };
            }
        }

        return WebSocketRefusal(call);
    }

    private async ValueTask<GatewayFailure?> CheckPolicyAsync(PassThroughCall call, StoredKey key)
    {
        var context = call.Context;
        var route = call.Route;
        if (!key.AllowsRoute(call.Target.Path))
        {
            return new GatewayFailure(GatewayError.Forbidden, $"This key may not call {route.Prefix}: its allowed_routes are {string.Join(", ", key.AllowedRoutes)}.");
        }

        if (WebSocketPolicy.IsHandshake(context) && WebSocketPolicy.KeyRefusal(key) is { } sessionRefusal)
        {
            return new GatewayFailure(GatewayError.Forbidden, sessionRefusal);
        }

        var tail = call.Target.Tail.ToString();
        var model = await ModelAccess.CheckAsync(context, route, key, tail, limits);
        call.RequestModel = model.Model;
        switch (model.Outcome)
        {
            case ModelAccess.Outcome.Unreadable:
                return model.Failure;
            case ModelAccess.Outcome.Refused:
                return new GatewayFailure(GatewayError.Forbidden, $"This key may not use the model '{model.Model}': its models are {string.Join(", ", key.Models)}.");
            case ModelAccess.Outcome.Unknowable:
                return new GatewayFailure(GatewayError.Forbidden,
                    $"This key may only use the models in its list, and {context.Request.Method} {route.Prefix}{tail} does not name a model the gateway "
                    + $"can check: add \"{route.Prefix}{tail}\" to the key's allowed_routes to let it call this endpoint.");
        }

        return await budgets.CheckAsync(key, context.RequestAborted) is { } overBudget
            ? new GatewayFailure(GatewayError.BudgetExceeded, overBudget)
            : null;
    }

    /// <summary>(2b) A protocol switch (WebSocket) opens a session the gateway neither meters nor examines yet.</summary>
    private GatewayFailure? WebSocketRefusal(PassThroughCall call)
    {
        var key = call.Admission.Key;
        return WebSocketPolicy.IsHandshake(call.Context)
            && webSockets.Refusal(call.Context.Request, key, RequestGuardrails.Applies(call.Route, key)) is { } refusal
            ? new GatewayFailure(GatewayError.Forbidden, refusal)
            : null;
    }

    private static string AuthMessage(KeyCheckOutcome outcome) => outcome switch
    {
        KeyCheckOutcome.Missing => "No API key: send your Tollgate virtual key as 'Authorization: Bearer sk-…', 'x-litellm-api-key', or the provider SDK's usual key header.",
        KeyCheckOutcome.NoMasterKey => "The gateway has no master key, so it accepts no keys: set general_settings.master_key (or LITELLM_MASTER_KEY), or general_settings.allow_unauthenticated: true to run open.",
        KeyCheckOutcome.Expired => "This key has expired.",
        KeyCheckOutcome.Blocked => "This key is blocked.",
        _ => "Invalid API key.",
    };
}
