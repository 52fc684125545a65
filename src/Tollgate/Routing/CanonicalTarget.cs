using System.Buffers;
using System.Text;

namespace Tollgate.Routing;

/// <summary>
/// The one form of a request target that the gateway routes, checks, meters and forwards, so no check can
/// run on one spelling of a path while the provider acts on another (<c>/v1beta/%6Dodels/…</c> is
/// <c>/v1beta/models/…</c> to every server). It is RFC 3986 §6.2.2's normal form: an escaped unreserved
/// character is decoded, every other escape is kept with upper-case hex, and a character that may not
/// stand bare is escaped (as UTF-8). In the path, an escaped ':' is decoded too (Google's and AWS's servers
/// read <c>models/m%3AgenerateContent</c> as <c>models/m:generateContent</c>, so the operation cannot hide
/// behind it), and empty segments are dropped (<c>//model/x</c> is <c>/model/x</c> to AWS), so a check that
/// reads a segment cannot be stepped around with an extra slash.
/// Malformed escapes stay as they are in the path, where <see cref="PathSafety"/> refuses them, and become
/// a literal <c>%25</c> in the query, as ASP.NET reads them.
/// </summary>
internal static class CanonicalTarget
{
    /// <summary>RFC 3986 pchar without pct-encoded: unreserved, sub-delims, ':' and '@'.</summary>
    private static readonly SearchValues<char> PathChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@");

    /// <summary>Query characters (pchar, '/' and '?') besides '%'.</summary>
    private static readonly SearchValues<char> QueryChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?");

    /// <summary>Path characters and the slash: a path made of these alone, without "//", is already canonical.</summary>
    private static readonly SearchValues<char> PathOrSlash =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/");

    /// <param name="target">An origin-form target (<c>/path?query</c>) as the client sent it.</param>
    /// <returns>The canonical target; the same instance when it already is one (the common case allocates nothing).</returns>
    public static string Normalize(string target)
    {
        var queryStart = target.IndexOf('?');
        var path = queryStart < 0 ? target.AsSpan() : target.AsSpan(0, queryStart);
        if (!NeedsChange(path, isPath: true) && (queryStart < 0 || !NeedsChange(target.AsSpan(queryStart + 1), isPath: false)))
        {
            return target;
        }

        var builder = new StringBuilder(target.Length + 8);
        AppendPath(builder, path);
        if (queryStart >= 0)
        {
            builder.Append('?');
            AppendComponent(builder, target.AsSpan(queryStart + 1), QueryChars, isPath: false);
        }

        return builder.ToString();
    }

    private static bool NeedsChange(ReadOnlySpan<char> component, bool isPath) =>
        component.ContainsAnyExcept(isPath ? PathOrSlash : QueryChars)
        || (isPath && component.Contains("//", StringComparison.Ordinal));

    /// <param name="path">Starts with '/' (origin-form).</param>
    private static void AppendPath(StringBuilder builder, ReadOnlySpan<char> path)
    {
        var start = builder.Length;
        foreach (var range in path.Split('/'))
        {
            if (range.Start.Value == range.End.Value)
            {
                continue;
            }

            builder.Append('/');
            AppendComponent(builder, path[range], PathChars, isPath: true);
        }

        // A trailing slash is part of the path ("/v1/models/" is not "/v1/models" to every server).
        if (builder.Length == start || path[^1] == '/')
        {
            builder.Append('/');
        }
    }

    private static void AppendComponent(StringBuilder builder, ReadOnlySpan<char> text, SearchValues<char> allowed, bool isPath)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
                {
                    var value = (char)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                    if (IsUnreserved(value) || (isPath && value == ':'))
                    {
                        builder.Append(value);
                    }
                    else
                    {
                        AppendEscaped(builder, (byte)value);
                    }

                    i += 2;
                }
                else if (isPath)
                {
                    builder.Append('%');
                }
                else
                {
                    builder.Append("%25");
                }
            }
            else if (allowed.Contains(c))
            {
                builder.Append(c);
            }
            else
            {
                var rune = Rune.DecodeFromUtf16(text[i..], out var decoded, out var consumed) == OperationStatus.Done
                    ? decoded
                    : Rune.ReplacementChar;
                var length = rune.EncodeToUtf8(utf8);
                foreach (var b in utf8[..length])
                {
                    AppendEscaped(builder, b);
                }

                i += Math.Max(consumed, 1) - 1;
            }
        }
    }

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static void AppendEscaped(StringBuilder builder, byte value) =>
        builder.Append('%').Append("0123456789ABCDEF"[value >> 4]).Append("0123456789ABCDEF"[value & 0xF]);
}
