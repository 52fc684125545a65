using Tollgate.Metering.Parsing;
using Tollgate.Metering.Usage;

namespace Tollgate.Metering.Meters;

/// <summary>
/// Meters an <c>application/vnd.amazon.eventstream</c> body: each verified event frame's
/// <c>:event-type</c> and payload go to the reader; exception and error frames carry no usage.
/// </summary>
internal sealed class EventStreamResponseMeter : ResponseMeter, IAwsEventStreamHandler
{
    private readonly AwsEventStreamDecoder _decoder;

    public EventStreamResponseMeter(UsageReader reader, string? pathModel, string? requestModel, int maxBufferedFrameBytes = AwsEventStreamDecoder.DefaultMaxBufferedFrameBytes)
        : base(reader, pathModel, requestModel) =>
        _decoder = new AwsEventStreamDecoder(maxBufferedFrameBytes);

    public override int BufferCapacity => _decoder.BufferCapacity;

    /// <summary>The framing was found corrupt and the rest of the stream was ignored.</summary>
    public bool FramingFailed => _decoder.Failed;

    void IAwsEventStreamHandler.OnFrame(AwsEventStreamFrame frame)
    {
        if (frame.IsEvent)
        {
            Reader.ReadEvent(frame.EventType, frame.Payload);
        }
    }

    protected override void ObserveCore(ReadOnlySpan<byte> bytes) => _decoder.Feed(bytes, this);

    protected override void CompleteCore()
    {
    }

    protected override void ReleaseBuffers() => _decoder.Complete();
}
