using Microsoft.Extensions.Primitives;

namespace Tollgate.Keys;

/// <summary>
/// Browsers cannot set headers on a WebSocket handshake, so OpenAI's browser SDK sends the key as a subprotocol:
/// <c>Sec-WebSocket-Protocol: realtime, openai-insecure-api-key.&lt;key&gt;</c>. A key carrier like any other.
/// </summary>
internal static class WebSocketKeyProtocol
{
    public const string HeaderName = "Sec-WebSocket-Protocol";
    public const string Prefix = "openai-insecure-api-key.";

    /// <summary>The key in the first such entry, or null.</summary>
    public static string? Read(StringValues protocols)
    {
        foreach (var value in protocols)
        {
            if (value is null || !value.Contains(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var range in value.AsSpan().Split(','))
            {
                var entry = value.AsSpan()[range].Trim();
                if (entry.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && entry.Length > Prefix.Length)
                {
                    return entry[Prefix.Length..].ToString();
                }
            }
        }

        return null;
    }

    /// <summary>The offered protocols without the key entries; empty when nothing else was offered.</summary>
    public static StringValues Without(StringValues protocols)
    {
        if (!Carries(protocols))
        {
            return protocols;
        }

        var kept = new List<string>();
        foreach (var value in protocols)
        {
            foreach (var entry in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!entry.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
                {
                    kept.Add(entry);
                }
            }
        }

        return kept.Count == 0 ? StringValues.Empty : new StringValues(string.Join(", ", kept));
    }

    private static bool Carries(StringValues protocols)
    {
        foreach (var value in protocols)
        {
            if (value is not null && value.Contains(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
