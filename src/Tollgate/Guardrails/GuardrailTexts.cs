using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Tollgate.Guardrails;

/// <summary>
/// The texts of one JSON request body (or a form's text parts, <see cref="AddPlain"/>) that guardrails examine
/// (with <see cref="TextPathSet.NamesAndNumbers"/>, also property names and numbers), found by walking it once with
/// <see cref="Utf8JsonReader"/> against a <see cref="TextPathSet"/>: where each string token is in the
/// body, its unescaped characters (in one pooled buffer), which selectors named it, and its replacement
/// once a guardrail masked it. <see cref="Rewrite"/> then writes the body with only those tokens changed.
/// </summary>
internal sealed class GuardrailTexts : IDisposable
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    private readonly List<Entry> _entries = [];
    private char[] _chars = [];
    private int _charCount;

    private struct Entry
    {
        public int TokenStart;
        public int TokenLength;
        public int CharStart;
        public int CharLength;
        public ulong Selectors;
        public string? Replacement;

        /// <summary>Plain UTF-8 in the body (a form's text part), not a JSON string token.</summary>
        public bool Plain;
    }

    public int Count => _entries.Count;

    /// <summary>True once any text was replaced.</summary>
    public bool Changed { get; private set; }

    /// <summary>Finds the texts in <paramref name="json"/>; false when it is not one well-formed JSON value.</summary>
    public bool TryExtract(ReadOnlySpan<byte> json, TextPathSet paths)
    {
        _entries.Clear();
        _charCount = 0;
        Changed = false;
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            ReadOnlySpan<int> root = [0];
            Walk(ref reader, paths, root, 0);
            // Nothing may follow the one value.
            return !reader.Read();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Malformed JSON, or a string that is not valid UTF-8 / UTF-16 once unescaped.
            return false;
        }
    }

    /// <summary>
    /// Adds the UTF-8 text at <paramref name="start"/> in a body that is not JSON (a form's text part) as one text
    /// every guardrail examines; a replacement is written back as plain UTF-8. Added in the order of the body.
    /// </summary>
    public void AddPlain(ReadOnlySpan<byte> body, int start, int length)
    {
        var text = body.Slice(start, length);
        EnsureChars(text.Length);
        var chars = Encoding.UTF8.GetChars(text, _chars.AsSpan(_charCount));
        _entries.Add(new Entry { TokenStart = start, TokenLength = length, CharStart = _charCount, CharLength = chars, Selectors = ulong.MaxValue, Plain = true });
        _charCount += chars;
    }

    public ulong Selectors(int index) => _entries[index].Selectors;

    /// <summary>The text as it stands: the original, or its replacement.</summary>
    public ReadOnlySpan<char> Text(int index)
    {
        var entry = _entries[index];
        return entry.Replacement is { } replaced ? replaced : _chars.AsSpan(entry.CharStart, entry.CharLength);
    }

    public void Replace(int index, string text)
    {
        if (Text(index).SequenceEqual(text))
        {
            return;
        }

        var entry = _entries[index];
        entry.Replacement = text;
        _entries[index] = entry;
        Changed = true;
    }

    /// <summary>The length of <paramref name="json"/> once the replaced tokens are re-encoded.</summary>
    public int RewrittenLength(ReadOnlySpan<byte> json)
    {
        var length = json.Length;
        foreach (var entry in _entries)
        {
            if (entry.Replacement is { } replacement)
            {
                length += (entry.Plain ? Encoding.UTF8.GetByteCount(replacement) : 2 + JsonStringEncoder.EncodedLength(replacement)) - entry.TokenLength;
            }
        }

        return length;
    }

    /// <summary>
    /// Writes <paramref name="json"/> into <paramref name="destination"/> (<see cref="RewrittenLength"/> bytes) with
    /// each replaced string token re-encoded and every other byte as it was.
    /// </summary>
    public int Rewrite(ReadOnlySpan<byte> json, Span<byte> destination)
    {
        var read = 0;
        var written = 0;
        foreach (var entry in _entries)
        {
            if (entry.Replacement is not { } replacement)
            {
                continue;
            }

            var before = json[read..entry.TokenStart];
            before.CopyTo(destination[written..]);
            written += before.Length;
            if (entry.Plain)
            {
                written += Encoding.UTF8.GetBytes(replacement, destination[written..]);
            }
            else
            {
                destination[written++] = (byte)'"';
                written += JsonStringEncoder.Encode(replacement, destination[written..]);
                destination[written++] = (byte)'"';
            }

            read = entry.TokenStart + entry.TokenLength;
        }

        json[read..].CopyTo(destination[written..]);
        return written + json.Length - read;
    }

    public void Dispose()
    {
        var chars = _chars;
        _chars = [];
        if (chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The reader is on a value's first token; on return, on its last.</summary>
    private void Walk(ref Utf8JsonReader reader, TextPathSet paths, scoped ReadOnlySpan<int> active, ulong subtree)
    {
        var nodes = paths.Nodes;
        var strings = 0UL;
        foreach (var n in active)
        {
            subtree |= nodes[n].SubtreeBits;
            strings |= nodes[n].StringBits;
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if ((subtree | strings) != 0)
                {
                    Add(ref reader, subtree | strings);
                }

                return;

            case JsonTokenType.Number:
                if (subtree != 0 && paths.NamesAndNumbers)
                {
                    // Masked, a number becomes a string.
                    AddNumber(ref reader, subtree);
                }

                return;

            case JsonTokenType.StartObject or JsonTokenType.StartArray when active.IsEmpty && subtree == 0:
                reader.Skip();
                return;

            case JsonTokenType.StartObject:
            {
                active = Meeting(reader, nodes, active, stackalloc int[active.Length]);
                Span<int> next = stackalloc int[TextPathSet.MaxActive];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (subtree != 0 && paths.NamesAndNumbers)
                    {
                        Add(ref reader, subtree);
                    }

                    var count = 0;
                    foreach (var n in active)
                    {
                        foreach (var (name, child) in nodes[n].Properties)
                        {
                            if (count < next.Length && reader.ValueTextEquals(name))
                            {
                                next[count++] = child;
                            }
                        }
                    }

                    reader.Read();
                    Walk(ref reader, paths, next[..count], subtree);
                }

                return;
            }

            case JsonTokenType.StartArray:
            {
                Span<int> next = stackalloc int[TextPathSet.MaxActive];
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var count = 0;
                    foreach (var n in active)
                    {
                        var node = nodes[n];
                        if (node.AnyElement >= 0 && count < next.Length)
                        {
                            next[count++] = node.AnyElement;
                        }

                        foreach (var (elementIndex, child) in node.Elements)
                        {
                            if (elementIndex == index && count < next.Length)
                            {
                                next[count++] = child;
                            }
                        }
                    }

                    Walk(ref reader, paths, next[..count], subtree);
                    index++;
                }

                return;
            }

            default:
                return;
        }
    }

    /// <summary>The nodes of <paramref name="active"/> whose condition, if any, this object meets (read ahead on a copy of the reader).</summary>
    private static ReadOnlySpan<int> Meeting(Utf8JsonReader reader, TextPathSet.Node[] nodes, scoped ReadOnlySpan<int> active, Span<int> kept)
    {
        var count = 0;
        foreach (var n in active)
        {
            if (nodes[n].Condition is not { } condition || Meets(reader, condition.Field, condition.Value))
            {
                kept[count++] = n;
            }
        }

        return kept[..count];
    }

    /// <summary>Any field of that name holds that string: parsers differ on which of two counts, so either does.</summary>
    private static bool Meets(Utf8JsonReader probe, byte[] field, byte[] value)
    {
        var met = false;
        while (probe.Read() && probe.TokenType == JsonTokenType.PropertyName)
        {
            var named = probe.ValueTextEquals(field);
            probe.Read();
            met |= named && probe.TokenType == JsonTokenType.String && probe.ValueTextEquals(value);
            probe.Skip();
        }

        return met;
    }

    private void AddNumber(ref Utf8JsonReader reader, ulong selectors)
    {
        var raw = reader.ValueSpan;
        EnsureChars(raw.Length);
        var length = Encoding.ASCII.GetChars(raw, _chars.AsSpan(_charCount));
        _entries.Add(new Entry
        {
            TokenStart = (int)reader.TokenStartIndex,
            TokenLength = raw.Length,
            CharStart = _charCount,
            CharLength = length,
            Selectors = selectors,
        });
        _charCount += length;
    }

    private void Add(ref Utf8JsonReader reader, ulong selectors)
    {
        var raw = reader.ValueSpan;
        // Unescaping never makes a string longer than its UTF-8 bytes.
        EnsureChars(raw.Length);

        var length = reader.CopyString(_chars.AsSpan(_charCount));
        _entries.Add(new Entry
        {
            TokenStart = (int)reader.TokenStartIndex,
            TokenLength = raw.Length + 2,
            CharStart = _charCount,
            CharLength = length,
            Selectors = selectors,
        });
        _charCount += length;
    }

    /// <summary>Room for <paramref name="count"/> more characters (UTF-8 never decodes to more characters than bytes).</summary>
    private void EnsureChars(int count)
    {
        if (_chars.Length - _charCount >= count)
        {
            return;
        }

        var larger = ArrayPool<char>.Shared.Rent(Math.Max(_charCount + count, Math.Max(_chars.Length * 2, 1024)));
        _chars.AsSpan(0, _charCount).CopyTo(larger);
        if (_chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_chars);
        }

        _chars = larger;
    }
}
