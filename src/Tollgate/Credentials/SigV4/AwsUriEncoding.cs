using System.Text;

namespace Tollgate.Credentials.SigV4;

/// <summary>
/// SigV4's URI encoding (RFC 3986, upper-case hex): every UTF-8 byte except the unreserved
/// <c>A-Za-z0-9-._~</c> becomes <c>%XX</c>; paths also keep <c>/</c>.
/// </summary>
internal static class AwsUriEncoding
{
    /// <summary>The most chars one input char can become: a lone BMP char is up to 3 UTF-8 bytes of <c>%XX</c>.</summary>
    public const int MaxEncodedCharsPerChar = 9;

    private const string UpperHex = "0123456789ABCDEF";

    private static bool IsUnreserved(int c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c is '-' or '.' or '_' or '~';

    /// <summary>
    /// Encodes a path as given, keeping <c>/</c>: an already-encoded <c>%2F</c> becomes <c>%252F</c>,
    /// the "double encoding" AWS expects of every service but S3.
    /// </summary>
    public static int EncodePath(ReadOnlySpan<char> path, Span<char> destination)
    {
        var written = 0;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c < 0x80)
            {
                if (IsUnreserved(c) || c == '/')
                {
                    destination[written++] = c;
                }
                else
                {
                    written += EncodeByte((byte)c, destination[written..]);
                }
            }
            else
            {
                written += EncodeRune(path, ref i, destination[written..]);
            }
        }

        return written;
    }

    /// <summary>
    /// Decodes the <c>%XX</c> escapes of one query name or value and encodes the resulting bytes
    /// strictly: <c>a%20b</c> and <c>a b</c> both sign as <c>a%20b</c>, <c>%7e</c> as <c>~</c>.
    /// A <c>+</c> is a literal plus (<c>%2B</c>), as in AWS's own signer: RFC 3986 gives it no
    /// special meaning in a query. A <c>%</c> not followed by two hex digits is taken literally.
    /// </summary>
    public static int ReencodeQueryComponent(ReadOnlySpan<char> component, Span<char> destination)
    {
        var written = 0;
        for (var i = 0; i < component.Length; i++)
        {
            var c = component[i];
            if (c == '%' && i + 2 < component.Length && TryDecodeHexPair(component[i + 1], component[i + 2], out var decoded))
            {
                written += EncodeByte(decoded, destination[written..]);
                i += 2;
            }
            else if (c < 0x80)
            {
                if (IsUnreserved(c))
                {
                    destination[written++] = c;
                }
                else
                {
                    written += EncodeByte((byte)c, destination[written..]);
                }
            }
            else
            {
                written += EncodeRune(component, ref i, destination[written..]);
            }
        }

        return written;
    }

    private static int EncodeByte(byte value, Span<char> destination)
    {
        if (IsUnreserved(value))
        {
            destination[0] = (char)value;
            return 1;
        }

        destination[0] = '%';
        destination[1] = UpperHex[value >> 4];
        destination[2] = UpperHex[value & 0xF];
        return 3;
    }

    // Non-ASCII text is encoded as its UTF-8 bytes; an unpaired surrogate becomes U+FFFD, as UTF-8 encoders do.
    private static int EncodeRune(ReadOnlySpan<char> text, ref int index, Span<char> destination)
    {
        if (Rune.DecodeFromUtf16(text[index..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
        {
            rune = Rune.ReplacementChar;
            consumed = 1;
        }

        index += consumed - 1;
        Span<byte> utf8 = stackalloc byte[4];
        var byteCount = rune.EncodeToUtf8(utf8);
        var written = 0;
        for (var b = 0; b < byteCount; b++)
        {
            written += EncodeByte(utf8[b], destination[written..]);
        }

        return written;
    }

    private static bool TryDecodeHexPair(char high, char low, out byte value)
    {
        var h = HexValue(high);
        var l = HexValue(low);
        value = (byte)((h << 4) | l);
        return (h | l) >= 0;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
