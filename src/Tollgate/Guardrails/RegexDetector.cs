using System.Text.RegularExpressions;

namespace Tollgate.Guardrails;

/// <summary>
/// <c>kind: regex</c>: the configured patterns, each compiled once. A pattern runs on .NET's
/// non-backtracking engine (time linear in the text) unless it uses what that engine cannot do
/// (lookarounds, backreferences, atomic groups, conditionals); such a pattern falls back to the
/// backtracking engine, logged at start, and is bounded by the guardrail's match time limit instead.
/// Empty matches are ignored (there is nothing to block or mask).
/// </summary>
/// <remarks>
/// A non-backtracking pattern gets no match timeout: on .NET 10 one built with a timeout misses every match
/// that crosses a multiple of 100,000 characters (docs/dotnet-nonbacktracking-timeout.md). Its time is linear
/// anyway, and the runner bounds a guardrail's time over all its texts.
/// </remarks>
internal sealed class RegexDetector : ITextDetector
{
    public const string Category = "pattern";
    public const string Mask = "[REDACTED]";

    private readonly Regex[] _patterns;

    public RegexDetector(IReadOnlyList<string> patterns, TimeSpan timeout)
    {
        _patterns = new Regex[patterns.Count];
        var backtracking = new List<int>();
        for (var i = 0; i < patterns.Count; i++)
        {
            _patterns[i] = Compile(patterns[i], timeout, out var usesBacktracking);
            if (usesBacktracking)
            {
                backtracking.Add(i);
            }
        }

        BacktrackingPatterns = backtracking;
    }

    /// <summary>Indexes of the patterns that run on the backtracking engine.</summary>
    public IReadOnlyList<int> BacktrackingPatterns { get; }

    /// <exception cref="ArgumentException">The pattern is not a valid .NET regular expression.</exception>
    public static Regex Compile(string pattern, TimeSpan timeout, out bool backtracking)
    {
        try
        {
            backtracking = false;
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, Regex.InfiniteMatchTimeout);
        }
        catch (NotSupportedException)
        {
            backtracking = true;
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, timeout);
        }
    }

    public void FindAll(ReadOnlySpan<char> text, List<TextMatch> matches)
    {
        foreach (var regex in _patterns)
        {
            foreach (var match in regex.EnumerateMatches(text))
            {
                if (match.Length > 0)
                {
                    matches.Add(new TextMatch(match.Index, match.Length, Category, Mask));
                }
            }
        }
    }

    public string? FindFirst(ReadOnlySpan<char> text)
    {
        foreach (var regex in _patterns)
        {
            foreach (var match in regex.EnumerateMatches(text))
            {
                if (match.Length > 0)
                {
                    return Category;
                }
            }
        }

        return null;
    }
}
