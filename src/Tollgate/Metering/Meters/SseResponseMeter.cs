using Tollgate.Metering.Parsing;
using Tollgate.Metering.Usage;

namespace Tollgate.Metering.Meters;

/// <summary>Meters a <c>text/event-stream</c> body: each complete event's name and data go to the reader.</summary>
internal sealed class SseResponseMeter : ResponseMeter, ISseEventHandler
{
    private readonly SseEventSplitter _splitter;

    public SseResponseMeter(UsageReader reader, string? pathModel, string? requestModel, int maxEventBytes = SseEventSplitter.DefaultMaxBlockBytes)
        : base(reader, pathModel, requestModel) =>
        _splitter = new SseEventSplitter(maxEventBytes);

    public override int BufferCapacity => _splitter.BufferCapacity;

    void ISseEventHandler.OnEvent(SseEvent sseEvent)
    {
        if (!sseEvent.IsFragment && sseEvent.HasData && !sseEvent.IsDone)
        {
            Reader.ReadEvent(sseEvent.Name, sseEvent.Data);
        }
    }

    protected override void ObserveCore(ReadOnlySpan<byte> bytes) => _splitter.Feed(bytes, this);

    protected override void CompleteCore() => _splitter.Complete(this);

    protected override void ReleaseBuffers() => _splitter.Complete(NoHandler.Instance);

    /// <summary>Swallows what a release hands out.</summary>
    private sealed class NoHandler : ISseEventHandler
    {
        public static readonly NoHandler Instance = new();

        public void OnEvent(SseEvent sseEvent)
        {
        }
    }
}
