using Tollgate.Metering.Costs;

namespace Tollgate.Metering.Usage;

/// <summary>
/// Reads one provider dialect's usage out of the units a framing hands it: whole JSON documents
/// (a non-streamed body, or one object of a streamed JSON array or JSON lines) and streamed events
/// (an SSE event's name and data, or an event-stream frame's <c>:event-type</c> and payload).
/// Readers never throw on bad JSON: a unit that does not parse leaves the usage as it was.
/// </summary>
internal abstract class UsageReader
{
    public TokenUsage Usage { get; } = new();

    /// <summary>The model the response names (first one seen), or null.</summary>
    public string? ResponseModel { get; protected set; }

    /// <summary>
    /// Where this dialect's streamed events carry the usage object that gains a <c>cost</c> under
    /// <c>include_cost_in_streaming_usage</c>; null for dialects whose streams are not rewritten.
    /// </summary>
    public virtual UsageObjectPath? StreamedUsageObject => null;

    /// <summary>A complete JSON document.</summary>
    public abstract void ReadJson(ReadOnlySpan<byte> json);

    /// <summary>One streamed event; <paramref name="name"/> is empty when the framing names none.</summary>
    public abstract void ReadEvent(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data);
}
