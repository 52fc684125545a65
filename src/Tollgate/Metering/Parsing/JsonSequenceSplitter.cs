using System.Buffers;

namespace Tollgate.Metering.Parsing;

/// <summary>
/// Finds the objects of a streamed JSON body as the bytes arrive, split anywhere: the items of one
/// top-level array (Gemini and Vertex <c>streamGenerateContent</c> without <c>alt=sse</c>), or a
/// sequence of top-level objects (JSON lines, Cohere v1 <c>application/stream+json</c>; a plain
/// single-object body is the one-item case).
/// </summary>
/// <remarks>
/// Only the structure is scanned (brackets, strings and escapes, vectorised searches between them);
/// an object is handed out whole, in place when it lies within one read, else gathered in a pooled
/// buffer. An object larger than the hold limit is dropped, so memory stays bounded. Unbalanced
/// closing brackets stop the splitter; it never throws on bad input.
/// </remarks>
internal sealed class JsonSequenceSplitter
{
    /// <summary>The default hold limit for one object: 4 MiB.</summary>
    public const int DefaultMaxElementBytes = 4 * 1024 * 1024;

    private static readonly SearchValues<byte> Structural = SearchValues.Create("{}[]\""u8);

    // Whitespace and the UTF-8 byte-order mark, skipped before the first value.
    private static readonly SearchValues<byte> Leading = SearchValues.Create([(byte)' ', (byte)'\t', (byte)'\r', (byte)'\n', 0xEF, 0xBB, 0xBF]);

    private readonly int _maxElementBytes;
    private PooledBuffer _pending;
    private int _elementDepth = -1;
    private int _depth;
    private bool _inString;
    private bool _escaped;
    private bool _inElement;
    private bool _oversized;
    private bool _failed;

    /// <param name="maxElementBytes">The most bytes of one object to gather across reads (default <see cref="DefaultMaxElementBytes"/>).</param>
    public JsonSequenceSplitter(int maxElementBytes = DefaultMaxElementBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxElementBytes, 2);
        _maxElementBytes = maxElementBytes;
    }

    /// <summary>Bytes of pooled memory held right now.</summary>
    public int BufferCapacity => _pending.Capacity;

    /// <summary>The brackets did not balance; everything after is ignored.</summary>
    public bool Failed => _failed;

    /// <summary>Feeds the next bytes; <paramref name="handler"/> gets every object they complete.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, IJsonElementHandler handler)
    {
        if (_failed)
        {
            return;
        }

        var elementStart = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            if (_inString)
            {
                if (_escaped)
                {
                    // Every JSON escape starts with one ASCII byte after the backslash; the rest is plain.
                    _escaped = false;
                    i++;
                    continue;
                }

                var quoteOrEscape = bytes[i..].IndexOfAny((byte)'"', (byte)'\\');
                if (quoteOrEscape < 0)
                {
                    break;
                }

                i += quoteOrEscape;
                if (bytes[i] == '\\')
                {
                    _escaped = true;
                }
                else
                {
                    _inString = false;
                }

                i++;
                continue;
            }

            if (_elementDepth < 0)
            {
                var first = bytes[i..].IndexOfAnyExcept(Leading);
                if (first < 0)
                {
                    break;
                }

                i += first;

                // '[' first: the objects wanted are the array's items; otherwise they are the top-level values.
                _elementDepth = bytes[i] == '[' ? 1 : 0;
            }

            var next = bytes[i..].IndexOfAny(Structural);
            if (next < 0)
            {
                break;
            }

            i += next;
            switch (bytes[i])
            {
                case (byte)'"':
                    _inString = true;
                    break;

                case (byte)'{':
                    if (_depth == _elementDepth)
                    {
                        _inElement = true;
                        _oversized = false;
                        elementStart = i;
                    }

                    _depth++;
                    break;

                case (byte)'[':
                    _depth++;
                    break;

                default: // '}' or ']'
                    _depth--;
                    if (_depth < 0)
                    {
                        _failed = true;
                        _pending.Release();
                        return;
                    }

                    if (_depth == _elementDepth && _inElement)
                    {
                        EndElement(bytes[elementStart..(i + 1)], handler);
                        _inElement = false;
                    }
                    else if (_depth == 0 && _elementDepth == 1)
                    {
                        // The array closed; whatever follows starts over (another array, or objects).
                        _elementDepth = -1;
                    }

                    break;
            }

            i++;
        }

        if (_inElement)
        {
            Hold(bytes[elementStart..]);
        }
    }

    /// <summary>The body ended: an unfinished object is dropped and pooled memory goes back to the pool.</summary>
    public void Complete() => _pending.Release();

    private void EndElement(ReadOnlySpan<byte> tail, IJsonElementHandler handler)
    {
        if (_oversized)
        {
            _oversized = false;
            return;
        }

        if (_pending.Count == 0)
        {
            handler.OnElement(tail);
            return;
        }

        if (_pending.Count + tail.Length <= _maxElementBytes)
        {
            _pending.Append(tail);
            handler.OnElement(_pending.Written);
        }

        _pending.Clear();
    }

    private void Hold(ReadOnlySpan<byte> rest)
    {
        if (_oversized || rest.IsEmpty)
        {
            return;
        }

        if (_pending.Count + rest.Length > _maxElementBytes)
        {
            _oversized = true;
            _pending.Clear();
            return;
        }

        _pending.Append(rest);
    }
}
