namespace Tollgate.Metering.Parsing;

/// <summary>
/// One block of a Server-Sent Events stream as <see cref="SseEventSplitter"/> hands it out: the exact
/// bytes it spans and, unless it is a fragment, its parsed <c>event:</c> name and joined <c>data:</c>.
/// The spans are valid only during the handler call.
/// </summary>
internal readonly ref struct SseEvent
{
    public SseEvent(ReadOnlySpan<byte> raw, long start, bool isFragment, ReadOnlySpan<byte> name, ReadOnlySpan<byte> data, bool hasData)
    {
        Raw = raw;
        Start = start;
        IsFragment = isFragment;
        Name = name;
        Data = data;
        HasData = hasData;
    }

    /// <summary>
    /// The bytes exactly as they came, from the block's first byte through the blank line that ends
    /// it, a CRLF's LF included (or, for a fragment, the piece handed out). Consecutive blocks' <see cref="Raw"/> spans tile
    /// the stream without gap or overlap.
    /// </summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The stream offset of <see cref="Raw"/>'s first byte (bytes since the stream began).</summary>
    public long Start { get; }

    /// <summary>The stream offset just past <see cref="Raw"/>.</summary>
    public long End => Start + Raw.Length;

    /// <summary>
    /// A piece of a block larger than the splitter may hold (or the unfinished tail at the end of the
    /// stream): passed on as bytes only, its fields are not parsed.
    /// </summary>
    public bool IsFragment { get; }

    /// <summary>The last <c>event:</c> field's value; empty when the block names none (SSE's default type "message").</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The <c>data:</c> lines' values joined with <c>\n</c>, without the final one.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The block has at least one <c>data:</c> line, so SSE dispatches it as an event (comments and blank lines alone do not).</summary>
    public bool HasData { get; }

    /// <summary>OpenAI's end marker, <c>data: [DONE]</c>.</summary>
    public bool IsDone => HasData && Data.SequenceEqual("[DONE]"u8);
}
