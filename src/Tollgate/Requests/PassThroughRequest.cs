using Tollgate.Keys;
using Tollgate.Routing;

namespace Tollgate.Requests;

/// <summary>Per-request state of a pass-through call, kept on <c>HttpContext.Features</c>.</summary>
internal sealed class PassThroughRequest
{
    public required PassThroughRoute Route { get; init; }

    public required Uri UpstreamUri { get; init; }

    /// <summary>The key carriers dropped before forwarding: all of them where the route takes a key.</summary>
    public required KeyCarriers RemovedCarriers { get; init; }

    /// <summary>The caller's key, hashed; null on an open gateway or an endpoint without auth.</summary>
    public KeyHash? KeyHash { get; init; }

    public required string[] Tags { get; init; }

    /// <summary>What the route's preparer readied for the transformer (an access token, a buffered body).</summary>
    public object? CredentialState { get; init; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> time the gateway first saw the request.</summary>
    public long StartTimestamp { get; init; }

    /// <summary>Stopwatch time the upstream request left (set by the transformer).</summary>
    public long SentTimestamp { get; set; }

    /// <summary>Gateway time before the provider was asked, in ms: the <c>x-litellm-overhead-duration-ms</c> value.</summary>
    public double? OverheadMs { get; set; }

    /// <summary>Stopwatch ticks spent waiting for the provider: for its response headers, then for each part of its body.</summary>
    public long UpstreamWaitTicks { get; private set; }

    private long _waitingSince;
    private bool _upstreamDone;

    /// <summary>The gateway now waits for the provider (the request left, or a part of the body was passed on).</summary>
    public void WaitingForUpstream(long timestamp)
    {
        if (!_upstreamDone)
        {
            _waitingSince = timestamp;
        }
    }

    /// <summary>The forwarder is done with the provider: what follows (checking a held answer, sending it, an error answer) is the gateway's own time.</summary>
    public void UpstreamDone(long timestamp)
    {
        UpstreamArrived(timestamp);
        _upstreamDone = true;
    }

    /// <summary>What the gateway waited for has arrived (a part of the body, or the end of the call).</summary>
    public void UpstreamArrived(long timestamp)
    {
        if (_waitingSince != 0)
        {
            UpstreamWaitTicks += timestamp - _waitingSince;
            _waitingSince = 0;
        }
    }
}
