using System.Diagnostics;

namespace Tollgate.Bench.Load.Measuring;

/// <summary>Every latency of a run in Stopwatch ticks; percentiles are exact (nearest rank over all samples).</summary>
internal sealed class Samples
{
    private long[] _ticks = new long[1024];

    public int Count { get; private set; }

    public void Add(long ticks)
    {
        if (Count == _ticks.Length)
        {
            Array.Resize(ref _ticks, _ticks.Length * 2);
        }

        _ticks[Count++] = ticks;
    }

    public void AddRange(Samples other)
    {
        for (var i = 0; i < other.Count; i++)
        {
            Add(other._ticks[i]);
        }
    }

    public Distribution Summarize()
    {
        var sorted = _ticks.AsSpan(0, Count);
        sorted.Sort();
        return new Distribution(Count, Micros(sorted, 0.50), Micros(sorted, 0.99), Micros(sorted, 0.999), Count == 0 ? double.NaN : ToMicros(sorted[^1]));
    }

    private static double Micros(ReadOnlySpan<long> sorted, double quantile) =>
        sorted.IsEmpty ? double.NaN : ToMicros(sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)]);

    public static double ToMicros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}

/// <summary>Percentiles of one run, in µs (NaN when there were no samples).</summary>
internal readonly record struct Distribution(int Count, double P50, double P99, double P999, double Max)
{
    public static readonly Distribution Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN);
}
