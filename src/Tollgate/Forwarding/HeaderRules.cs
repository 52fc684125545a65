using System.Collections.Frozen;
using Tollgate.Keys;
using Tollgate.Routing;

namespace Tollgate.Forwarding;

/// <summary>Which client headers reach the upstream, and under what name (contract section 5).</summary>
internal static class HeaderRules
{
    public const string PassPrefix = "x-pass-";
    private const string LitellmPrefix = "x-litellm-";

    /// <summary>Hop-by-hop and framing headers: the forwarder and HttpClient make their own.</summary>
    private static readonly FrozenSet<string> HopByHop = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "Proxy-Authentication-Info", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Close",
        "HTTP2-Settings", "Alt-Svc", "Upgrade-Insecure-Requests");

    /// <summary>Names an <c>x-pass-</c> header may not become: credentials, framing and the gateway's own headers.</summary>
    private static readonly FrozenSet<string> PassDenied = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        [.. VirtualKeyReader.CarrierHeaders.Keys, .. HopByHop, "Content-Length", "Accept-Encoding", Requests.RequestTags.ShortHeaderName]);

    /// <summary>
    /// Name spaces an <c>x-pass-</c> header may not enter: signatures, the gateway's own headers (a chained gateway
    /// would read them), proxy credentials, the WebSocket handshake (a subprotocol can carry a key), another x-pass.
    /// </summary>
    private static readonly string[] PassDeniedPrefixes = ["x-amz-", LitellmPrefix, "proxy-", "sec-websocket-", PassPrefix, ":"];

    /// <summary>
    /// Headers that describe the body; sent even when a custom endpoint does not forward headers. Content-Length
    /// too, so a body of known length (one a guardrail rewrote, say) is not turned into a chunked one.
    /// </summary>
    private static readonly FrozenSet<string> BodyHeaders = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Disposition", "Content-MD5", "Accept");

    /// <summary>Headers HttpClient keeps on the content rather than the request (as System.Net.Http's KnownHeaders say).</summary>
    private static readonly FrozenSet<string> ContentHeaders = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length", "Content-Location",
        "Content-MD5", "Content-Range", "Content-Type", "Expires", "Last-Modified");

    public static bool IsContentHeader(string name) => ContentHeaders.Contains(name);

    /// <param name="name">The client header's name.</param>
    /// <param name="route">The matched route.</param>
    /// <param name="removedCarriers">The key carriers this call removes (<see cref="Keys.Admission.RemovedCarriers"/>).</param>
    public static HeaderAction Classify(string name, PassThroughRoute route, KeyCarriers removedCarriers)
    {
        if (name.Length == 0 || name[0] == ':' || HopByHop.Contains(name))
        {
            return HeaderAction.Drop;
        }

        if (name.StartsWith(LitellmPrefix, StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, Requests.RequestTags.ShortHeaderName, StringComparison.OrdinalIgnoreCase))
        {
            return HeaderAction.Drop;
        }

        if (name.StartsWith(PassPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return name.Length > PassPrefix.Length && IsPassAllowed(name.AsSpan(PassPrefix.Length))
                ? HeaderAction.ForwardWithoutPrefix
                : HeaderAction.Drop;
        }

        if (VirtualKeyReader.CarrierHeaders.TryGetValue(name, out var carrier) && (removedCarriers & carrier) != 0)
        {
            return HeaderAction.Drop;
        }

        // Provider answers are metered as they pass, which needs them uncompressed.
        if (!route.IsCustomEndpoint && name.Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase))
        {
            return HeaderAction.Drop;
        }

        if (route.DropsAmzHeaders && name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
        {
            return HeaderAction.Drop;
        }

        return route.ForwardClientHeaders || BodyHeaders.Contains(name) ? HeaderAction.Forward : HeaderAction.Drop;
    }

    private static bool IsPassAllowed(ReadOnlySpan<char> target)
    {
        if (PassDenied.GetAlternateLookup<ReadOnlySpan<char>>().Contains(target))
        {
            return false;
        }

        foreach (var prefix in PassDeniedPrefixes)
        {
            if (target.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}

internal enum HeaderAction
{
    Drop,
    Forward,
    ForwardWithoutPrefix,
}
