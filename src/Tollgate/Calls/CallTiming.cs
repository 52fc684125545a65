namespace Tollgate.Calls;

/// <summary>
/// When a call's parts happened, on the gateway's <see cref="TimeProvider"/>: its start, when the upstream
/// request left, and how long the gateway waited for the provider (its headers, then each part of its body).
/// The rest is the gateway's own time.
/// </summary>
/// <remarks>A struct held in the call, so timing a call allocates nothing.</remarks>
internal struct CallTiming(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private long _sent;
    private long _ended;
    private long _waitingSince;
    private long _upstreamWait;
    private bool _upstreamDone;

    /// <summary>Wall-clock time the gateway first saw the request: the spend row's <c>startTime</c>.</summary>
    public DateTimeOffset StartTime { get; } = time.GetUtcNow();

    /// <summary>Wall-clock time of the answer's first byte to the client: the row's <c>completionStartTime</c>.</summary>
    public DateTimeOffset? FirstByteTime { get; private set; }

    /// <summary>The upstream request has left.</summary>
    public readonly bool Sent => _sent != 0;

    /// <summary>Gateway time before the provider was asked: the <c>x-litellm-overhead-duration-ms</c> value.</summary>
    public readonly TimeSpan Overhead => Sent ? time.GetElapsedTime(_started, _sent) : TimeSpan.Zero;

    /// <summary>Since the gateway first saw the request.</summary>
    public readonly TimeSpan Elapsed => time.GetElapsedTime(_started);

    /// <summary>The call's time up to <see cref="Finish"/> minus its waits for the provider; null when the request never left.</summary>
    public readonly TimeSpan? GatewayTime => Sent && _ended != 0 ? time.GetElapsedTime(_started, _ended) - time.GetElapsedTime(0, _upstreamWait) : null;

    /// <summary>The upstream request leaves now: the gateway waits for the provider's answer from here.</summary>
    public void RequestSent()
    {
        _sent = time.GetTimestamp();
        _waitingSince = _sent;
    }

    /// <summary>A part of the provider's answer has arrived: what follows is the gateway's own time.</summary>
    public void UpstreamArrived()
    {
        if (_waitingSince != 0)
        {
            _upstreamWait += time.GetTimestamp() - _waitingSince;
            _waitingSince = 0;
        }
    }

    /// <summary>That part has gone on to the client, so the gateway waits for the provider again.</summary>
    public void WaitingForUpstream()
    {
        if (!_upstreamDone)
        {
            _waitingSince = time.GetTimestamp();
        }
    }

    /// <summary>The forwarder is done with the provider: checking a held answer, sending it, an error answer are the gateway's own time.</summary>
    public void UpstreamDone()
    {
        UpstreamArrived();
        _upstreamDone = true;
    }

    /// <summary>The call's work is done; what remains (its row) is not counted in <see cref="GatewayTime"/>.</summary>
    public void Finish()
    {
        UpstreamDone();
        _ended = time.GetTimestamp();
    }

    /// <summary>Notes the first byte to the client, once.</summary>
    public void FirstByte() => FirstByteTime ??= time.GetUtcNow();
}
