using Tollgate.Metering.Parsing;
using Tollgate.Metering.Usage;

namespace Tollgate.Metering.Meters;

/// <summary>
/// Meters a streamed JSON body (the items of one array, or JSON lines): each object goes to the
/// reader as soon as its closing brace arrives.
/// </summary>
internal sealed class JsonSequenceResponseMeter : ResponseMeter, IJsonElementHandler
{
    private readonly JsonSequenceSplitter _splitter;

    public JsonSequenceResponseMeter(UsageReader reader, string? pathModel, string? requestModel, int maxElementBytes = JsonSequenceSplitter.DefaultMaxElementBytes)
        : base(reader, pathModel, requestModel) =>
        _splitter = new JsonSequenceSplitter(maxElementBytes);

    public override int BufferCapacity => _splitter.BufferCapacity;

    void IJsonElementHandler.OnElement(ReadOnlySpan<byte> json) => Reader.ReadJson(json);

    protected override void ObserveCore(ReadOnlySpan<byte> bytes) => _splitter.Feed(bytes, this);

    protected override void CompleteCore()
    {
    }

    protected override void ReleaseBuffers() => _splitter.Complete();
}
