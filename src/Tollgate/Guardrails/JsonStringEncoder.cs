using System.Buffers;
using System.Text;

namespace Tollgate.Guardrails;

/// <summary>
/// Writes a string as the contents of a JSON string token with the least escaping JSON requires
/// (<c>"</c>, <c>\</c>, control characters, and lone surrogates as <c>\uXXXX</c>); everything else is
/// plain UTF-8. A string that arrived unescaped therefore comes out byte-identical outside the masked spans.
/// </summary>
internal static class JsonStringEncoder
{
    private static readonly SearchValues<char> Special = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"
        + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    /// <summary>The number of bytes <see cref="Encode"/> writes for <paramref name="text"/> (quotes not included).</summary>
    public static int EncodedLength(ReadOnlySpan<char> text)
    {
        var length = 0;
        while (!text.IsEmpty)
        {
            var special = text.IndexOfAny(Special);
            var run = special < 0 ? text : text[..special];
            length += Encoding.UTF8.GetByteCount(run);
            if (special < 0)
            {
                break;
            }

            var consumed = Escape(text[special..], []);
            length += consumed.Written;
            text = text[(special + consumed.Read)..];
        }

        return length;
    }

    /// <summary>Writes <paramref name="text"/>, escaped, into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var written = 0;
        while (!text.IsEmpty)
        {
            var special = text.IndexOfAny(Special);
            var run = special < 0 ? text : text[..special];
            written += Encoding.UTF8.GetBytes(run, destination[written..]);
            if (special < 0)
            {
                break;
            }

            var consumed = Escape(text[special..], destination[written..]);
            written += consumed.Written;
            text = text[(special + consumed.Read)..];
        }

        return written;
    }

    /// <summary>Handles the special character at the start of <paramref name="text"/>; an empty destination only counts.</summary>
    private static (int Read, int Written) Escape(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var c = text[0];
        if (char.IsHighSurrogate(c) && text.Length > 1 && char.IsLowSurrogate(text[1]))
        {
            return (2, destination.IsEmpty ? Encoding.UTF8.GetByteCount(text[..2]) : Encoding.UTF8.GetBytes(text[..2], destination));
        }

        var shortForm = c switch
        {
            '"' => '"',
            '\\' => '\\',
            '\n' => 'n',
            '\r' => 'r',
            '\t' => 't',
            '\b' => 'b',
            '\f' => 'f',
            _ => '\0',
        };
        if (shortForm != '\0')
        {
            if (!destination.IsEmpty)
            {
                destination[0] = (byte)'\\';
                destination[1] = (byte)shortForm;
            }

            return (1, 2);
        }

        if (!destination.IsEmpty)
        {
            destination[0] = (byte)'\\';
            destination[1] = (byte)'u';
            ((int)c).TryFormat(destination[2..6], out _, "x4", System.Globalization.CultureInfo.InvariantCulture);
        }

        return (1, 6);
    }
}
