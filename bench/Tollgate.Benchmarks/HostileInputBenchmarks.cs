using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Tollgate.Guardrails;

namespace Tollgate.Benchmarks;

/// <summary>
/// Inputs built to make a detector slow, where the unit tests only check the answer: <c>Pii</c> scans nine
/// 120–200 K-character texts (runs of <c>a@</c>, digits, card-like and IBAN-like groups, key prefixes, PEM headers)
/// with every entity; <c>NestedQuantifier</c> runs <c>(a+)+$</c> on 50 K <c>a</c> and a <c>b</c>, which the
/// non-backtracking engine decides in linear time. Quadratic behaviour would show as seconds.
/// </summary>
[MemoryDiagnoser]
public class HostileInputBenchmarks
{
    private static readonly string[] Inputs =
    [
        new string('a', 200_000) + "@",
        string.Concat(Enumerable.Repeat("a@", 100_000)),
        string.Concat(Enumerable.Repeat("1 ", 100_000)),
        string.Concat(Enumerable.Repeat("4-", 100_000)),
        new string('9', 200_000),
        string.Concat(Enumerable.Repeat("DE89 ", 40_000)),
        string.Concat(Enumerable.Repeat("sk-", 60_000)),
        string.Concat(Enumerable.Repeat("-----BEGIN ", 20_000)),
        string.Concat(Enumerable.Repeat("+(1) ", 40_000)),
    ];

    private static readonly string Nested = new string('a', 50_000) + "b";

    private readonly PiiDetector _pii = new(PiiEntities.All);
    private readonly RegexDetector _nested = new(["(a+)+$"], Regex.InfiniteMatchTimeout);
    private readonly List<TextMatch> _matches = [];

    [Benchmark]
    public int Pii()
    {
        _matches.Clear();
        foreach (var input in Inputs)
        {
            _pii.FindAll(input, _matches);
        }

        return _matches.Count;
    }

    [Benchmark]
    public string? NestedQuantifier() => _nested.FindFirst(Nested);
}
