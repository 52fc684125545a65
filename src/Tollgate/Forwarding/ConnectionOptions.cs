using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Tollgate.Forwarding;

/// <summary>
/// Headers named in <c>Connection</c> are hop-by-hop too (RFC 9110 §7.6.1): a proxy drops them in both directions.
/// YARP's default copy drops only its fixed list, so the gateway applies the rule itself.
/// </summary>
internal static class ConnectionOptions
{
    /// <summary>Whether the client's <c>Connection</c> values name <paramref name="header"/>.</summary>
    public static bool Names(StringValues connection, ReadOnlySpan<char> header)
    {
        foreach (var value in connection)
        {
            if (value is not null && Names(value, header))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes from the client's answer the headers the provider's <c>Connection</c> names.</summary>
    public static void RemoveNamed(HeaderStringValues connection, IHeaderDictionary responseHeaders)
    {
        foreach (var value in connection)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                var name = value.AsSpan()[range].Trim();
                // Upgrade stays: YARP and Kestrel complete a protocol switch (101) with it.
                if (!name.IsEmpty && !name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
                {
                    responseHeaders.Remove(name.ToString());
                }
            }
        }
    }

    private static bool Names(string value, ReadOnlySpan<char> header)
    {
        foreach (var range in value.AsSpan().Split(','))
        {
            if (value.AsSpan()[range].Trim().Equals(header, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
