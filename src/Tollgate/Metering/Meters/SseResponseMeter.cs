using Tollgate.Metering.Costs;
using Tollgate.Metering.Parsing;
using Tollgate.Metering.Usage;

namespace Tollgate.Metering.Meters;

/// <summary>
/// Meters a <c>text/event-stream</c> body: each complete event's name and data go to the reader.
/// With a <see cref="SseCostInjector"/> attached, every block then goes on to it, so one splitter both
/// meters the stream and makes the client's copy with the cost in its usage event.
/// </summary>
internal sealed class SseResponseMeter : ResponseMeter, ISseEventHandler
{
    private readonly SseEventSplitter _splitter;
    private SseCostInjector? _injector;
    private bool _readerFailed;

    public SseResponseMeter(UsageReader reader, string? pathModel, string? requestModel, int maxEventBytes = SseEventSplitter.DefaultMaxBlockBytes)
        : base(reader, pathModel, requestModel) =>
        _splitter = new SseEventSplitter(maxEventBytes);

    public override int BufferCapacity => _splitter.BufferCapacity;

    /// <summary>Where the dialect's usage object sits in its events, or null when its streams are not rewritten.</summary>
    public UsageObjectPath? StreamedUsageObject => Reader.StreamedUsageObject;

    /// <summary>From now on every block, read or not, goes on to <paramref name="injector"/> after the reader has seen it.</summary>
    public void InjectCost(SseCostInjector injector) => _injector = injector;

    void ISseEventHandler.OnEvent(SseEvent sseEvent)
    {
        if (_injector is null)
        {
            Read(sseEvent);
            return;
        }

        // The client's bytes pass through here, so a reader fault must not escape into the splitter and
        // lose them: metering stops (the usage stays as far as seen) and the stream goes on unchanged.
        try
        {
            if (!_readerFailed)
            {
                Read(sseEvent);
            }
        }
        catch (Exception)
        {
            _readerFailed = true;
        }

        _injector.OnEvent(sseEvent, usageFinal: !_readerFailed && Reader.Usage.Reported);
    }

    protected override void ObserveCore(ReadOnlySpan<byte> bytes) => _splitter.Feed(bytes, this);

    protected override void CompleteCore() => _splitter.Complete(this);

    protected override void ReleaseBuffers() => _splitter.Complete(NoHandler.Instance);

    private void Read(SseEvent sseEvent)
    {
        if (!sseEvent.IsFragment && sseEvent.HasData && !sseEvent.IsDone)
        {
            Reader.ReadEvent(sseEvent.Name, sseEvent.Data);
        }
    }

    /// <summary>Swallows what a release hands out.</summary>
    private sealed class NoHandler : ISseEventHandler
    {
        public static readonly NoHandler Instance = new();

        public void OnEvent(SseEvent sseEvent)
        {
        }
    }
}
