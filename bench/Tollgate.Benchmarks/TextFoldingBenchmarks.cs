using System.Text;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Tollgate.Guardrails;
using Tollgate.Guardrails.Folding;

namespace Tollgate.Benchmarks;

/// <summary>
/// What folding (issue 13, defect 5) adds to a keywords guardrail on 4 KB of text: <c>RegexOnRawText</c> is the
/// keyword regex alone on the text as it came (what the detector did before, the baseline); <c>Fold</c> is the
/// folding alone; <c>KeywordDetector</c> is the detector as it runs now (fold, then the regex on the folded text).
/// <c>Text</c>: English prose, or Russian prose (every character goes through the fold table).
/// </summary>
[MemoryDiagnoser]
public class TextFoldingBenchmarks
{
    private static readonly string[] Keywords = ["project falcon", "blue harbor"];

    private string _text = "";
    private Regex _raw = null!;
    private KeywordDetector _detector = null!;
    private readonly List<TextMatch> _matches = [];

    [Params("english", "russian")]
    public string Text { get; set; } = "english";

    [GlobalSetup]
    public void Setup()
    {
        var sentence = Text == "english"
            ? "The quarterly review covers the migration plan, the budget for the next two sprints, and open questions. "
            : "Квартальный обзор охватывает план миграции, бюджет на следующие два спринта и открытые вопросы. ";
        var text = new StringBuilder();
        while (text.Length < 4096)
        {
            text.Append(sentence);
        }

        _text = text.ToString(0, 4096);
        _raw = new Regex(@"(?:\bproject\s+falcon\b|\bblue\s+harbor\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.ExplicitCapture);
        _detector = new KeywordDetector(Keywords);
    }

    [Benchmark(Baseline = true)]
    public int RegexOnRawText() => _raw.Count(_text);

    [Benchmark]
    public int Fold()
    {
        using var folded = FoldedText.Rent().Fold(_text, FoldStyle.Words);
        return folded.Chars.Length;
    }

    [Benchmark]
    public int KeywordDetector()
    {
        _matches.Clear();
        _detector.FindAll(_text, _matches);
        return _matches.Count;
    }
}
