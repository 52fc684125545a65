using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Tollgate.Keys;

/// <summary>
/// On an endpoint without auth the client's own credentials may go upstream, but never one of this gateway's
/// keys: finds the carriers that hold the master key or a stored virtual key. Each value is checked whole and
/// by its comma-separated parts, without a <c>Bearer</c> prefix, so a key joined to other values is still found.
/// </summary>
internal static class GatewayKeyCarriers
{
    /// <param name="request">The client's request.</param>
    /// <param name="headersForwarded">The endpoint forwards client headers (<c>forward_headers</c>); otherwise only the query can leak.</param>
    /// <param name="keys">Tells the gateway's keys.</param>
    /// <param name="cancellationToken">The client's abort token.</param>
    /// <exception cref="KeyStoreUnavailableException">A value could not be checked: treat it as ours.</exception>
    public static async ValueTask<KeyCarriers> FindAsync(HttpRequest request, bool headersForwarded, IVirtualKeyAuthenticator keys, CancellationToken cancellationToken)
    {
        var found = KeyCarriers.None;
        if (headersForwarded)
        {
            foreach (var (name, carrier) in VirtualKeyReader.CarrierHeaders)
            {
                if (request.Headers.TryGetValue(name, out var values) && await AnyIsOursAsync(values, keys, cancellationToken))
                {
                    found |= carrier;
                }
            }
        }

        if (headersForwarded
            && WebSocketKeyProtocol.Read(request.Headers[WebSocketKeyProtocol.HeaderName]) is { } subprotocolKey
            && await IsOursAsync(subprotocolKey, keys, cancellationToken))
        {
            found |= KeyCarriers.WebSocketProtocol;
        }

        if (request.QueryString.HasValue
            && request.Query.TryGetValue(VirtualKeyReader.KeyQueryParameter, out var keyParameters)
            && await AnyIsOursAsync(keyParameters, keys, cancellationToken))
        {
            found |= KeyCarriers.KeyQueryParameter;
        }

        return found;
    }

    private static async ValueTask<bool> AnyIsOursAsync(StringValues values, IVirtualKeyAuthenticator keys, CancellationToken cancellationToken)
    {
        foreach (var value in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (await IsOursAsync(value, keys, cancellationToken))
            {
                return true;
            }

            if (value.Contains(','))
            {
                foreach (var part in value.Split(','))
                {
                    if (await IsOursAsync(part, keys, cancellationToken))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static ValueTask<bool> IsOursAsync(string value, IVirtualKeyAuthenticator keys, CancellationToken cancellationToken)
    {
        var candidate = value.AsSpan().Trim();
        if (candidate.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            candidate = candidate[7..].Trim();
        }

        return candidate.IsEmpty ? new(false) : keys.IsGatewayKeyAsync(candidate.ToString(), cancellationToken);
    }
}
