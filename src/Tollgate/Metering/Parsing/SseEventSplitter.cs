namespace Tollgate.Metering.Parsing;

/// <summary>
/// Splits a Server-Sent Events byte stream into its blocks as the bytes arrive, split anywhere
/// (inside a line, a CRLF or a UTF-8 character). Lines end with CRLF, LF or CR; a blank line ends a
/// block; <c>data:</c> lines are joined with <c>\n</c>; <c>event:</c> names the event; comments
/// (<c>:</c>) and other fields (<c>id:</c>, <c>retry:</c>) are skipped.
/// </summary>
/// <remarks>
/// <para>
/// Every byte fed is handed out exactly once, in order, as the <see cref="SseEvent.Raw"/> of some
/// block: a complete block (through the blank line that ends it, a CRLF's LF included; fields
/// parsed) or a fragment. A block whose blank line is a CR at the very end of a read waits for the
/// next read (or <see cref="Complete"/>) to learn whether an LF belongs to it. Only the
/// unfinished block at the end of what has been fed is held back (<see cref="PendingLength"/> bytes,
/// starting at stream offset <see cref="PendingStart"/>); <see cref="Complete"/> hands that out last.
/// A block that would grow past the hold limit is handed out as fragments as its bytes arrive,
/// unparsed, so the memory held stays bounded however long the stream or its events.
/// </para>
/// <para>
/// That makes the splitter usable by a tee that rewrites one event (cost injection, contract section
/// 6): per read from the provider, feed the bytes and, in the handler, write each block's
/// <see cref="SseEvent.Raw"/> to the client, or a rewritten version of the one block to change; after
/// the last read, <see cref="Complete"/> hands out the held tail to write as is. The client then gets
/// every other byte unchanged, also when the event to rewrite arrives split across reads, and a
/// block reaches it as soon as its blank line has arrived (an SSE client acts on nothing earlier).
/// A metering-only tee instead writes the provider's bytes straight through and ignores
/// <see cref="SseEvent.Raw"/>.
/// </para>
/// </remarks>
internal sealed class SseEventSplitter
{
    /// <summary>The default hold limit: 4 MiB, room for OpenAI's <c>response.completed</c> event with a long answer in it.</summary>
    public const int DefaultMaxBlockBytes = 4 * 1024 * 1024;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly int _maxBlockBytes;
    private PooledBuffer _pending;
    private PooledBuffer _joinedData;
    private long _handedOut;
    private bool _atLineStart = true;
    private bool _lastWasCr;
    private bool _oversized;
    private bool _endsAfterCr;
    private bool _firstBlock = true;

    /// <param name="maxBlockBytes">The most bytes of one unfinished block to hold (default <see cref="DefaultMaxBlockBytes"/>).</param>
    public SseEventSplitter(int maxBlockBytes = DefaultMaxBlockBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlockBytes, 1);
        _maxBlockBytes = maxBlockBytes;
    }

    /// <summary>The stream offset of the first byte not yet handed out (the unfinished block's start).</summary>
    public long PendingStart => _handedOut;

    /// <summary>How many bytes of the unfinished block are held.</summary>
    public int PendingLength => _pending.Count;

    /// <summary>Bytes of pooled memory held right now (the unfinished block and the data-joining scratch).</summary>
    public int BufferCapacity => _pending.Capacity + _joinedData.Capacity;

    /// <summary>Feeds the next bytes; <paramref name="handler"/> gets every block they finish.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, ISseEventHandler handler)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (_endsAfterCr)
        {
            // The previous read ended with a blank line's CR: its block takes the LF of a CRLF, if one follows.
            _endsAfterCr = false;
            _lastWasCr = false;
            var lineFeed = bytes[0] == '\n' ? 1 : 0;
            EndBlock(bytes[..lineFeed], handler);
            bytes = bytes[lineFeed..];
        }

        var blockStart = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            var found = bytes[i..].IndexOfAny((byte)'\r', (byte)'\n');
            if (found < 0)
            {
                _atLineStart = false;
                _lastWasCr = false;
                break;
            }

            if (found > 0)
            {
                _atLineStart = false;
                _lastWasCr = false;
            }

            var end = i + found;
            var terminator = bytes[end];
            i = end + 1;
            if (terminator == '\n' && _lastWasCr)
            {
                // The LF of a CRLF whose CR already ended the line (possibly in the previous read).
                _lastWasCr = false;
                continue;
            }

            _lastWasCr = terminator == '\r';
            if (!_atLineStart)
            {
                _atLineStart = true;
                continue;
            }

            // A blank line: the block ends with this terminator (a CRLF's LF included).
            if (terminator == '\r')
            {
                if (i == bytes.Length)
                {
                    // Whether an LF follows is known with the next read (or at the end); hold the block till then.
                    _endsAfterCr = true;
                    break;
                }

                if (bytes[i] == '\n')
                {
                    i++;
                    _lastWasCr = false;
                }
            }

            EndBlock(bytes[blockStart..i], handler);
            blockStart = i;
        }

        Hold(bytes[blockStart..], handler);
    }

    /// <summary>
    /// The stream ended: the held tail is handed out, as a block when its last line was complete
    /// (lenient towards a provider that omits the final blank line), else as a fragment. Pooled
    /// memory goes back to the pool.
    /// </summary>
    public void Complete(ISseEventHandler handler)
    {
        if (_endsAfterCr)
        {
            _endsAfterCr = false;
            EndBlock(default, handler);
        }

        if (_pending.Count > 0)
        {
            if (_atLineStart)
            {
                Dispatch(_pending.Written, handler);
            }
            else
            {
                HandOutFragment(_pending.Written, handler);
            }
        }

        _pending.Release();
        _joinedData.Release();
        _atLineStart = true;
        _lastWasCr = false;
        _oversized = false;
    }

    private void EndBlock(ReadOnlySpan<byte> tail, ISseEventHandler handler)
    {
        if (_oversized)
        {
            HandOutFragment(tail, handler);
            _oversized = false;
            return;
        }

        if (_pending.Count == 0)
        {
            Dispatch(tail, handler);
            return;
        }

        if (_pending.Count + tail.Length > _maxBlockBytes)
        {
            HandOutFragment(_pending.Written, handler);
            _pending.Clear();
            HandOutFragment(tail, handler);
            return;
        }

        _pending.Append(tail);
        Dispatch(_pending.Written, handler);
        _pending.Clear();
    }

    private void Hold(ReadOnlySpan<byte> rest, ISseEventHandler handler)
    {
        if (rest.IsEmpty)
        {
            return;
        }

        if (_oversized)
        {
            HandOutFragment(rest, handler);
            return;
        }

        if (_pending.Count + rest.Length > _maxBlockBytes)
        {
            _oversized = true;
            if (_pending.Count > 0)
            {
                HandOutFragment(_pending.Written, handler);
                _pending.Clear();
            }

            HandOutFragment(rest, handler);
            return;
        }

        _pending.Append(rest);
    }

    private void HandOutFragment(ReadOnlySpan<byte> raw, ISseEventHandler handler)
    {
        if (raw.IsEmpty)
        {
            return;
        }

        var start = _handedOut;
        _handedOut += raw.Length;
        _firstBlock = false;
        handler.OnEvent(new SseEvent(raw, start, isFragment: true, default, default, hasData: false));
    }

    private void Dispatch(ReadOnlySpan<byte> raw, ISseEventHandler handler)
    {
        var fields = raw;
        if (_firstBlock && fields.StartsWith(Utf8Bom))
        {
            fields = fields[Utf8Bom.Length..];
        }

        ReadOnlySpan<byte> name = default;
        ReadOnlySpan<byte> data = default;
        var dataLines = 0;
        while (!fields.IsEmpty)
        {
            var end = fields.IndexOfAny((byte)'\r', (byte)'\n');
            ReadOnlySpan<byte> line;
            if (end < 0)
            {
                line = fields;
                fields = default;
            }
            else
            {
                line = fields[..end];
                var terminatorLength = fields[end] == '\r' && end + 1 < fields.Length && fields[end + 1] == '\n' ? 2 : 1;
                fields = fields[(end + terminatorLength)..];
            }

            if (line.IsEmpty || line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf((byte)':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? default : line[(colon + 1)..];
            if (!value.IsEmpty && value[0] == ' ')
            {
                value = value[1..];
            }

            if (field.SequenceEqual("data"u8))
            {
                if (dataLines == 1)
                {
                    _joinedData.Clear();
                    _joinedData.Append(data);
                }

                if (dataLines >= 1)
                {
                    _joinedData.Append("\n"u8);
                    _joinedData.Append(value);
                }
                else
                {
                    // One data line (the usual case) stays a slice of the raw bytes: no copy.
                    data = value;
                }

                dataLines++;
            }
            else if (field.SequenceEqual("event"u8))
            {
                name = value;
            }
        }

        if (dataLines > 1)
        {
            data = _joinedData.Written;
        }

        var start = _handedOut;
        _handedOut += raw.Length;
        _firstBlock = false;
        handler.OnEvent(new SseEvent(raw, start, isFragment: false, name, data, dataLines > 0));
        if (dataLines > 1)
        {
            _joinedData.Clear();
        }
    }
}
