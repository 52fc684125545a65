using System.Text;
using System.Text.RegularExpressions;

namespace Tollgate.Guardrails;

/// <summary>
/// <c>kind: keywords</c>: every keyword or phrase, case-insensitive, as a whole word (a keyword that starts
/// or ends with a letter or digit must not continue a longer word there); any run of white space in a
/// phrase matches any run in the text. Compiled once into one alternation for the non-backtracking engine,
/// so the time is linear in the text whatever the keywords.
/// </summary>
/// <remarks>
/// No match timeout: on .NET 10 a non-backtracking regex built with one misses every match that crosses a
/// multiple of 100,000 characters (docs/dotnet-nonbacktracking-timeout.md). Linear time needs none, and the
/// runner still bounds a guardrail's time over all its texts.
/// </remarks>
internal sealed class KeywordDetector : ITextDetector
{
    public const string Category = "keyword";
    public const string Mask = "[REDACTED]";

    private readonly Regex _regex;

    public KeywordDetector(IReadOnlyList<string> keywords)
    {
        var pattern = new StringBuilder("(?:");
        for (var i = 0; i < keywords.Count; i++)
        {
            var words = keywords[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                throw new ArgumentException("a keyword must not be blank", nameof(keywords));
            }

            if (i > 0)
            {
                pattern.Append('|');
            }

            if (IsWordChar(words[0][0]))
            {
                pattern.Append(@"\b");
            }

            pattern.AppendJoin(@"\s+", words.Select(Regex.Escape));
            if (IsWordChar(words[^1][^1]))
            {
                pattern.Append(@"\b");
            }
        }

        pattern.Append(')');
        _regex = new Regex(
            pattern.ToString(),
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.ExplicitCapture,
            Regex.InfiniteMatchTimeout);
    }

    public void FindAll(ReadOnlySpan<char> text, List<TextMatch> matches)
    {
        foreach (var match in _regex.EnumerateMatches(text))
        {
            matches.Add(new TextMatch(match.Index, match.Length, Category, Mask));
        }
    }

    public string? FindFirst(ReadOnlySpan<char> text) => _regex.IsMatch(text) ? Category : null;

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
