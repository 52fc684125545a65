using System.Text;
using System.Text.RegularExpressions;
using Tollgate.Guardrails;

namespace Tollgate.Tests.Guardrails;

/// <summary>The keywords and regex detectors: whole words, case, phrases, and bounded time on hostile input.</summary>
public sealed class PatternDetectorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    private static string Mask(ITextDetector detector, string text)
    {
        var matches = new List<TextMatch>();
        detector.FindAll(text, matches);
        TextMasker.Normalize(matches);
        return TextMasker.Apply(text, matches, new StringBuilder());
    }

    [Theory]
    [InlineData("About Project Falcon: go", "About [REDACTED]: go")]
    [InlineData("PROJECT   falcon\nand project\tfalcon", "[REDACTED]\nand [REDACTED]")]
    [InlineData("the falcon flies", "the [REDACTED] flies")]
    [InlineData("c++ and C++!", "[REDACTED] and [REDACTED]!")]
    public void Keywords_match_whole_words_and_phrases_ignoring_case_and_spacing(string text, string expected)
    {
        var detector = new KeywordDetector(["project falcon", "falcon", "C++"]);

        Assert.Equal(expected, Mask(detector, text));
        Assert.Equal("keyword", detector.FindFirst(text));
    }

    [Theory]
    [InlineData("falcons are birds")]
    [InlineData("peregrinefalcon")]
    [InlineData("project falconry")]
    [InlineData("nothing here")]
    public void Keywords_do_not_match_inside_longer_words(string text)
    {
        var detector = new KeywordDetector(["project falcon", "falcon"]);

        Assert.Equal(text, Mask(detector, text));
        Assert.Null(detector.FindFirst(text));
    }

    [Fact]
    public void Keywords_with_regex_characters_are_literal()
    {
        var detector = new KeywordDetector(["a.b", "(x)"]);

        Assert.Null(detector.FindFirst("aXb x"));
        Assert.Equal("[REDACTED] [REDACTED]", Mask(detector, "a.b (x)"));
    }

    [Fact]
    public void Regex_patterns_mask_every_match_and_ignore_empty_ones()
    {
        var detector = new RegexDetector(["EMP-[0-9]{6}", "x*"], Timeout);

        Assert.Equal("ids [REDACTED], [REDACTED]", Mask(detector, "ids EMP-123456, EMP-654321"));
        Assert.Equal("pattern", detector.FindFirst("EMP-000001"));
        Assert.Null(detector.FindFirst("EMP-12"));
        Assert.Empty(detector.BacktrackingPatterns);
    }

    /// <summary>Its time is a benchmark row (HostileInputBenchmarks.NestedQuantifier); here, that the linear engine decides it.</summary>
    [Fact]
    public void A_nested_quantifier_runs_on_the_non_backtracking_engine_and_decides_hostile_input()
    {
        var detector = new RegexDetector(["(a+)+$"], Timeout);

        Assert.Null(detector.FindFirst(new string('a', 50_000) + "b"));
        Assert.Equal("pattern", detector.FindFirst(new string('a', 50_000)));
        Assert.Empty(detector.BacktrackingPatterns);
    }

    [Fact]
    public void A_pattern_the_linear_engine_cannot_run_falls_back_and_is_stopped_by_its_time_limit()
    {
        // The lookahead needs the backtracking engine, where (a+)+ on this input is exponential: only the limit ends it.
        var detector = new RegexDetector(["^(a+)+(?=c)"], Timeout);

        Assert.Throws<RegexMatchTimeoutException>(() => detector.FindFirst(new string('a', 50_000) + "b"));
        Assert.Equal([0], detector.BacktrackingPatterns);
    }

    [Fact]
    public void An_invalid_pattern_is_an_argument_error()
    {
        Assert.ThrowsAny<ArgumentException>(() => RegexDetector.Compile("EMP-[0-9", Timeout, out _));
    }

    /// <summary>Issue 13, defect 1: the phrase planted across 100,000, 200,000 and 300,000 characters, and one well inside.</summary>
    [Fact]
    public void Matches_across_every_multiple_of_100_000_characters_are_found()
    {
        var (text, starts) = Planted(" project falcon ", [99_995, 199_990, 299_999, 350_000], 400_000);
        var keywords = new KeywordDetector(["project falcon"]);
        var patterns = new RegexDetector(["project\\s+falcon"], Timeout);

        foreach (var detector in new ITextDetector[] { keywords, patterns })
        {
            var matches = new List<TextMatch>();
            detector.FindAll(text, matches);
            Assert.Equal(starts.Select(s => s + 1), matches.Select(m => m.Start));
            Assert.NotNull(detector.FindFirst(text.AsSpan(0, 100_020)));
        }
    }

    /// <summary>
    /// The runtime defect the detectors work around (docs/dotnet-nonbacktracking-timeout.md): a non-backtracking
    /// regex built with a match timeout misses a match that crosses character 100,000; without one it finds it.
    /// When this fails, the runtime is fixed and the detectors' remarks can say so.
    /// </summary>
    [Fact]
    public void The_runtime_still_misses_matches_across_100_000_characters_with_a_timeout()
    {
        var text = new string('a', 99_997) + "falcon";
        var timed = new Regex("falcon", RegexOptions.NonBacktracking, TimeSpan.FromSeconds(10));
        var untimed = new Regex("falcon", RegexOptions.NonBacktracking);

        Assert.Matches(untimed, text);
        Assert.DoesNotMatch(timed, text);
    }

    private static (string Text, int[] Starts) Planted(string phrase, int[] starts, int length)
    {
        var text = new StringBuilder(new string('a', length));
        foreach (var start in starts)
        {
            text.Remove(start, phrase.Length).Insert(start, phrase);
        }

        return (text.ToString(), starts);
    }

    /// <summary>Issue 13, defect 5: each spelling reads as "project falcon" to a person and to a model.</summary>
    [Theory]
    [InlineData("pr\u043Eject falcon")]
    [InlineData("project f\u0430lc\u043En")]
    [InlineData("proj\u200Bect fal\u200Dcon")]
    [InlineData("pro\u00ADject falcon")]
    [InlineData("project falco\u0301n")]
    [InlineData("project falc\u00F3n")]
    [InlineData("\uFF50\uFF52\uFF4F\uFF4A\uFF45\uFF43\uFF54 \uFF46\uFF41\uFF4C\uFF43\uFF4F\uFF4E")]
    [InlineData("\U0001D429\U0001D42B\U0001D428\U0001D423\U0001D41E\U0001D41C\U0001D42D falcon")]
    [InlineData("project-falcon")]
    [InlineData("project\u2011falcon")]
    [InlineData("PROJECT_FALCON")]
    [InlineData("project \u3000\u00A0 falcon")]
    [InlineData("PR\u039FJECT FALC\u039FN")]
    public void A_keyword_is_found_however_it_is_spelled_and_its_original_characters_masked(string spelling)
    {
        var detector = new KeywordDetector(["project falcon"]);
        var text = "see " + spelling + ", then";

        Assert.Equal("see [REDACTED], then", Mask(detector, text));
        Assert.Equal("keyword", detector.FindFirst(text));
    }

    [Theory]
    [InlineData("projects falcon")]
    [InlineData("project falconry")]
    [InlineData("projectfalcon")]
    [InlineData("\u043F\u0440\u043E\u0435\u043A\u0442 \u0441\u043E\u043A\u043E\u043B")]
    public void Folding_does_not_make_other_words_match(string text)
    {
        var detector = new KeywordDetector(["project falcon"]);

        Assert.Null(detector.FindFirst(text));
    }
}
