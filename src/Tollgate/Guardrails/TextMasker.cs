using System.Text;

namespace Tollgate.Guardrails;

/// <summary>Writes a text with its matches replaced; overlapping matches are merged and take the first one's replacement.</summary>
internal static class TextMasker
{
    /// <summary>Sorts <paramref name="matches"/> by position and drops the ones inside an earlier match.</summary>
    public static void Normalize(List<TextMatch> matches)
    {
        if (matches.Count < 2)
        {
            return;
        }

        matches.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var kept = 0;
        for (var i = 0; i < matches.Count; i++)
        {
            var match = matches[i];
            if (kept > 0 && match.Start < matches[kept - 1].End)
            {
                var previous = matches[kept - 1];
                if (match.End > previous.End)
                {
                    matches[kept - 1] = previous with { Length = match.End - previous.Start };
                }

                continue;
            }

            matches[kept++] = match;
        }

        matches.RemoveRange(kept, matches.Count - kept);
    }

    /// <param name="text">The text.</param>
    /// <param name="matches">Its matches, <see cref="Normalize"/>d.</param>
    /// <param name="builder">A scratch builder, cleared first.</param>
    public static string Apply(ReadOnlySpan<char> text, List<TextMatch> matches, StringBuilder builder)
    {
        builder.Clear();
        var position = 0;
        foreach (var match in matches)
        {
            builder.Append(text[position..match.Start]).Append(match.Replacement);
            position = match.End;
        }

        return builder.Append(text[position..]).ToString();
    }
}
