using System.Text;
using System.Text.RegularExpressions;
using Tollgate.Guardrails.Folding;

namespace Tollgate.Guardrails;

/// <summary>
/// <c>kind: keywords</c>: every keyword or phrase as a whole word (a keyword that starts or ends with a letter
/// or digit must not continue a longer word there), matched on the folded text (<see cref="FoldedText"/>, words
/// style: case, accents, look-alike letters, fullwidth and mathematical forms, invisible characters, dashes and
/// runs of white space do not matter), and masked on the original characters. Compiled once into one
/// alternation for the non-backtracking engine, so the time is linear in the text whatever the keywords.
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
            using var folded = FoldedText.Rent().Fold(keywords[i], FoldStyle.Words);
            var words = folded.Chars.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
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
            RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.ExplicitCapture,
            Regex.InfiniteMatchTimeout);
    }

    public void FindAll(ReadOnlySpan<char> text, List<TextMatch> matches)
    {
        using var folded = FoldedText.Rent().Fold(text, FoldStyle.Words);
        foreach (var match in _regex.EnumerateMatches(folded.Chars))
        {
            var (start, length) = folded.Original(match.Index, match.Length);
            matches.Add(new TextMatch(start, length, Category, Mask));
        }
    }

    public string? FindFirst(ReadOnlySpan<char> text)
    {
        using var folded = FoldedText.Rent().Fold(text, FoldStyle.Words);
        return _regex.IsMatch(folded.Chars) ? Category : null;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
