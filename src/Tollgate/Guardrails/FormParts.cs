using System.Text;
using Microsoft.Net.Http.Headers;

namespace Tollgate.Guardrails;

/// <summary>
/// A multipart body split into its parts, strictly, with where each part's content lies in the body, so the text
/// parts can be examined and rewritten while every other byte stays as it was (RFC 2046 section 5.1, RFC 7578).
/// </summary>
/// <remarks>
/// Providers' form parsers differ (bare LF line ends, folded headers, encoded parts, the boundary seen inside a
/// part), and a part one parser sees but another does not could carry text past the guardrails. So anything a
/// lenient parser might read differently is refused instead: lines must end in CRLF, headers must not fold, a
/// part's content must not contain the delimiter at all, a part must be named <c>form-data</c> once, and a
/// <c>Content-Transfer-Encoding</c> other than 7bit, 8bit or binary is refused.
/// </remarks>
internal static class FormParts
{
    public readonly record struct Part(string Name, string? FileName, string? MediaType, int ContentStart, int ContentLength)
    {
        /// <summary>A file upload rather than a form field.</summary>
        public bool IsFile => FileName is not null;
    }

    /// <returns>Null with <paramref name="parts"/> filled, or what is wrong with the body.</returns>
    public static string? Split(ReadOnlySpan<byte> body, string boundary, List<Part> parts)
    {
        if (boundary.Length is 0 or > 70)
        {
            return "its boundary is missing or longer than 70 characters";
        }

        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var lineDelimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        // The first delimiter opens the body or a line; every parser ignores the preamble before it.
        var position = body.StartsWith(delimiter) ? 0 : body.IndexOf(lineDelimiter) is var found and >= 0 ? found + 2 : -1;
        if (position < 0)
        {
            return "the boundary never occurs in it";
        }

        while (true)
        {
            position += delimiter.Length;
            var rest = body[position..];
            if (rest.StartsWith("--"u8))
            {
                // The close delimiter: what follows (the epilogue) is not a part, and must not hide one.
                return rest.IndexOf(delimiter) >= 0 ? "its boundary occurs after the closing delimiter" : null;
            }

            if (rest.IsEmpty)
            {
                return "it has no closing delimiter";
            }

            if (!rest.StartsWith("\r\n"u8))
            {
                return "a boundary line does not end in CRLF";
            }

            position += 2;
            var headersEnd = body[position..].IndexOf("\r\n\r\n"u8);
            var emptyHeaders = body[position..].StartsWith("\r\n"u8);
            if (headersEnd < 0 && !emptyHeaders)
            {
                return "a part's headers never end";
            }

            var headers = emptyHeaders ? default : body.Slice(position, headersEnd);
            var contentStart = position + (emptyHeaders ? 2 : headersEnd + 4);
            var next = body[contentStart..].IndexOf(lineDelimiter);
            if (next < 0)
            {
                return "it has no closing delimiter";
            }

            var content = body.Slice(contentStart, next);
            if (content.IndexOf(delimiter) >= 0)
            {
                return "its boundary occurs inside a part";
            }

            if (ReadHeaders(headers, contentStart, next) is not { } part)
            {
                return "a part's headers are not a single form-data Content-Disposition with a name, an optional Content-Type, "
                    + "and no Content-Transfer-Encoding other than 7bit, 8bit or binary (lines end in CRLF and do not fold)";
            }

            parts.Add(part);
            position = contentStart + next + 2;
        }
    }

    private static Part? ReadHeaders(ReadOnlySpan<byte> headers, int contentStart, int contentLength)
    {
        string? name = null;
        string? fileName = null;
        string? mediaType = null;
        foreach (var b in headers)
        {
            // Printable ASCII and line ends only: a tab or a non-ASCII byte is refused.
            if (b is not ((>= 0x20 and <= 0x7E) or (byte)'\r' or (byte)'\n'))
            {
                return null;
            }
        }

        foreach (var line in Encoding.ASCII.GetString(headers).Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || line.Contains('\r') || line.Contains('\n') || line[0] is ' ' or '\t')
            {
                return null;
            }

            var field = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (field.Equals("Content-Disposition", StringComparison.OrdinalIgnoreCase))
            {
                if (name is not null || !ContentDispositionHeaderValue.TryParse(value, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).ToString() is not { Length: > 0 } partName)
                {
                    return null;
                }

                name = partName;
                fileName = disposition.FileName.HasValue || disposition.FileNameStar.HasValue
                    ? HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).ToString()
                    : null;
            }
            else if (field.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                if (mediaType is not null || !MediaTypeHeaderValue.TryParse(value, out var type))
                {
                    return null;
                }

                // Text is read as UTF-8; a part that says it is in another charset would be read differently.
                if (type.Charset.HasValue && !(type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                    || type.Charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase)))
                {
                    return null;
                }

                mediaType = type.MediaType.ToString().ToLowerInvariant();
            }
            else if (field.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                && value.ToLowerInvariant() is not ("7bit" or "8bit" or "binary"))
            {
                return null;
            }
        }

        return name is null ? null : new Part(name, fileName, mediaType, contentStart, contentLength);
    }
}
