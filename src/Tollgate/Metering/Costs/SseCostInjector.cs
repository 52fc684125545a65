using Tollgate.Metering.Parsing;
using Tollgate.Metering.Usage;

namespace Tollgate.Metering.Costs;

/// <summary>
/// The client's side of cost injection (<c>include_cost_in_streaming_usage</c>, contract section 6):
/// gathers the bytes to send for one <c>text/event-stream</c> response as the meter's
/// <see cref="SseEventSplitter"/> hands out its blocks, each block's <see cref="SseEvent.Raw"/>
/// unchanged except the event that brings the provider's final usage, whose usage object gains
/// <c>,"cost":X</c> before its closing brace.
/// </summary>
/// <remarks>
/// Every byte goes out exactly once and in order, because the splitter hands out each one exactly once;
/// a block goes out as soon as its blank line has arrived (the client acts on nothing earlier). Not
/// rewritten, and passed on as they came: fragments of a block over the splitter's hold limit, blocks
/// whose JSON spans several <c>data:</c> lines (the joined data's offsets are not the raw ones), usage
/// that already has a <c>cost</c>, and usage of a model without a price. A fault in the rewrite turns
/// rewriting off for the rest of the stream and passes the block on unchanged.
/// </remarks>
internal sealed class SseCostInjector(UsageObjectPath path, Func<decimal?> cost)
{
    private PooledBuffer _output;
    private bool _faulted;
    private bool _released;

    /// <summary>The bytes to send now; <see cref="ClearOutput"/> once they are sent.</summary>
    public ReadOnlyMemory<byte> Output => _output.WrittenMemory;

    public void ClearOutput() => _output.Clear();

    /// <summary>Returns the pooled buffer; whatever is handed out later is dropped (the response is over).</summary>
    public void Release()
    {
        _released = true;
        _output.Release();
    }

    /// <summary>
    /// Takes the next block, after the meter's reader has read it.
    /// </summary>
    /// <param name="sseEvent">The block as the splitter handed it out.</param>
    /// <param name="usageFinal">The reader's usage is the provider's final count (<see cref="TokenUsage.Reported"/>) and can be trusted.</param>
    public void OnEvent(SseEvent sseEvent, bool usageFinal)
    {
        if (_released)
        {
            return;
        }

        if (usageFinal && !_faulted && !sseEvent.IsFragment && sseEvent.HasData && TryRewrite(sseEvent))
        {
            return;
        }

        _output.Append(sseEvent.Raw);
    }

    private bool TryRewrite(SseEvent sseEvent)
    {
        var raw = sseEvent.Raw;
        var data = sseEvent.Data;
        Span<byte> number = stackalloc byte[CostJson.MaxFormattedLength];
        int at;
        int length;
        bool isEmpty;
        try
        {
            if (!JsonFields.MayHoldObject(data, path.QuotedName)
                || !raw.Overlaps(data, out var dataStart)
                || !CostJson.TryFindUsageEnd(data, path, out var closingBrace, out isEmpty)
                || cost() is not { } value
                || !CostJson.TryFormat(value, number, out length))
            {
                return false;
            }

            at = dataStart + closingBrace;
        }
        catch (Exception)
        {
            // Rewriting must never cost the client a byte: pass this and every later block on as they came.
            _faulted = true;
            return false;
        }

        _output.Append(raw[..at]);
        _output.Append(isEmpty ? "\"cost\":"u8 : ",\"cost\":"u8);
        _output.Append(number[..length]);
        _output.Append(raw[at..]);
        return true;
    }
}
