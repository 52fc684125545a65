namespace Tollgate.Routing;

/// <summary>
/// Refuses client path tails that could climb out of the configured base path once some server
/// decodes them: dot segments (plain, percent-encoded, or hidden behind an encoded slash or a
/// <c>;</c> parameter), backslashes in any form, and control characters. Encoded slashes that are
/// not part of a dot segment stay as they are (Bedrock model ARNs need <c>%2F</c>).
/// </summary>
internal static class PathSafety
{
    /// <returns>Null when the tail is safe, else why it is not (no client data in the text).</returns>
    public static string? FindProblem(ReadOnlySpan<char> tail)
    {
        if (tail.Contains('\\'))
        {
            return "the path contains a backslash";
        }

        foreach (var range in tail.Split('/'))
        {
            var segment = tail[range];
            if (segment.IsEmpty)
            {
                continue;
            }

            if (segment.Contains('%'))
            {
                if (!IsValidPercentEncoding(segment))
                {
                    return "the path is not valid percent-encoding";
                }

                var decoded = Uri.UnescapeDataString(segment.ToString());

                if (decoded.AsSpan().ContainsAnyInRange('\0', '\u001f') || decoded.Contains('\u007f'))
                {
                    return "the path contains an encoded control character";
                }

                if (decoded.Contains('\\'))
                {
                    return "the path contains an encoded backslash";
                }

                foreach (var innerRange in decoded.AsSpan().Split('/'))
                {
                    if (IsDotSegment(decoded.AsSpan()[innerRange]))
                    {
                        return "the path contains a '.' or '..' segment";
                    }
                }
            }
            else if (IsDotSegment(segment))
            {
                return "the path contains a '.' or '..' segment";
            }
        }

        return null;
    }

    private static bool IsValidPercentEncoding(ReadOnlySpan<char> segment)
    {
        for (var i = segment.IndexOf('%'); i >= 0; i = segment.IndexOf('%'))
        {
            if (i + 2 >= segment.Length || !char.IsAsciiHexDigit(segment[i + 1]) || !char.IsAsciiHexDigit(segment[i + 2]))
            {
                return false;
            }

            segment = segment[(i + 3)..];
        }

        return true;
    }

    private static bool IsDotSegment(ReadOnlySpan<char> segment)
    {
        // "..;x" is ".." to servlet containers.
        var semicolon = segment.IndexOf(';');
        if (semicolon >= 0)
        {
            segment = segment[..semicolon];
        }

        return segment is "." or "..";
    }
}
