using Tollgate.Metering.Usage;

namespace Tollgate.Metering.Meters;

/// <summary>
/// The shared half of every meter: a framing (the subclass) feeds a dialect's
/// <see cref="UsageReader"/>. Observe and Complete never throw: an unexpected fault in a parser
/// stops metering for the rest of the body (<see cref="Faulted"/>) and leaves the usage as far as seen.
/// </summary>
internal abstract class ResponseMeter : IResponseMeter
{
    private readonly string? _pathModel;
    private readonly string? _requestModel;
    private bool _stopped;
    private bool _completed;

    protected ResponseMeter(UsageReader reader, string? pathModel, string? requestModel)
    {
        Reader = reader;
        _pathModel = pathModel;
        _requestModel = requestModel;
    }

    public TokenUsage Usage => Reader.Usage;

    public string? ResponseModel => Reader.ResponseModel;

    public string? Model => _pathModel ?? _requestModel ?? Reader.ResponseModel;

    /// <summary>A parser failed unexpectedly and metering stopped (bad input alone does not set this).</summary>
    public bool Faulted { get; private set; }

    /// <summary>Bytes of pooled memory the framing holds right now (bounded whatever the body's length).</summary>
    public abstract int BufferCapacity { get; }

    protected UsageReader Reader { get; }

    public void Observe(ReadOnlySpan<byte> bytes)
    {
        if (_stopped || bytes.IsEmpty)
        {
            return;
        }

        try
        {
            ObserveCore(bytes);
        }
        catch (Exception)
        {
            // Metering must never break the client's stream (contract section 6); keep what was seen.
            Stop();
        }
    }

    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        try
        {
            if (!_stopped)
            {
                CompleteCore();
            }
        }
        catch (Exception)
        {
            Faulted = true;
        }
        finally
        {
            _stopped = true;
            ReleaseBuffers();
        }
    }

    protected abstract void ObserveCore(ReadOnlySpan<byte> bytes);

    /// <summary>The body ended: hand out what the framing still holds, if it is whole.</summary>
    protected abstract void CompleteCore();

    /// <summary>Returns pooled memory; must not throw.</summary>
    protected abstract void ReleaseBuffers();

    private void Stop()
    {
        Faulted = true;
        _stopped = true;
        try
        {
            ReleaseBuffers();
        }
        catch (Exception)
        {
            // Nothing more to do: the buffers are left to the garbage collector.
        }
    }
}
