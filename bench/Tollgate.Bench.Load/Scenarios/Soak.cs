using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tollgate.Bench.Load.Measuring;

namespace Tollgate.Bench.Load.Scenarios;

/// <summary>A long fixed-rate run on one row, with the server's resident memory sampled throughout.</summary>
/// <param name="Rss">(seconds since start, RSS in MB), every <see cref="Soak.SampleInterval"/>.</param>
internal sealed record SoakResult(OpenLoopResult Load, TimeSpan Duration, TimeSpan Warmup, IReadOnlyList<(double Seconds, double Megabytes)> Rss)
{
    /// <summary>Mean RSS over the minute after warm-up: the baseline growth is measured from.</summary>
    public double WarmRss => Mean(Warmup.TotalSeconds, Warmup.TotalSeconds + 60);

    /// <summary>Mean RSS over the last minute.</summary>
    public double EndRss => Mean(Duration.TotalSeconds - 60, double.MaxValue);

    public double Growth => (EndRss - WarmRss) / WarmRss;

    private double Mean(double from, double to)
    {
        var window = Rss.Where(s => s.Seconds >= from && s.Seconds < to && !double.IsNaN(s.Megabytes)).Select(s => s.Megabytes).ToList();
        return window.Count == 0 ? double.NaN : window.Average();
    }
}

/// <summary>
/// Issue 7's soak: the open-loop load of <see cref="OpenLoop"/> for minutes at a rate the server sustains,
/// to show memory stays flat once warm (growth of the last minute's RSS over the minute after warm-up).
/// </summary>
internal static class Soak
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(5);

    public static SoakResult Run(Target target, byte[] request, double rate, TimeSpan duration, int connections, TimeSpan warmup)
    {
        var samples = new List<(double, double)>();
        var clock = Stopwatch.StartNew();
        using var sampler = new Timer(_ =>
        {
            var rss = ProcessMemory.RssMegabytes(target.Pid);
            lock (samples)
            {
                samples.Add((clock.Elapsed.TotalSeconds, rss));
            }
        }, null, TimeSpan.Zero, SampleInterval);

        var load = OpenLoop.Run(target, request, rate, duration, connections);
        sampler.Dispose();
        lock (samples)
        {
            return new SoakResult(load, duration, warmup, [.. samples]);
        }
    }

    public static string Markdown(SoakResult soak, Target target, double rate)
    {
        var invariant = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(invariant, $"## Soak: {target.Name} at {rate:N0} req/s for {soak.Duration.TotalMinutes:0.#} min");
        text.AppendLine();
        text.AppendLine(invariant, $"{soak.Load.Completed:N0} of {soak.Load.Scheduled:N0} requests answered, {soak.Load.Errors:N0} errors, {soak.Load.Queued:N0} queued for a connection; latency p50 {soak.Load.Latency.P50:N0} µs, p99 {soak.Load.Latency.P99:N0} µs, p99.9 {soak.Load.Latency.P999:N0} µs.");
        text.AppendLine();
        text.AppendLine(invariant, $"Resident memory: {soak.WarmRss:N1} MB over the minute after a {soak.Warmup.TotalSeconds:N0} s warm-up, {soak.EndRss:N1} MB over the last minute: growth **{soak.Growth:P1}** (target under 5 %: {(soak.Growth < 0.05 ? "met" : "**not met**")}).");
        text.AppendLine();
        text.AppendLine("| minute | RSS min (MB) | RSS max (MB) |");
        text.AppendLine("|--:|--:|--:|");
        foreach (var minute in soak.Rss.Where(s => !double.IsNaN(s.Megabytes)).GroupBy(s => (int)(s.Seconds / 60)))
        {
            text.AppendLine(invariant, $"| {minute.Key + 1} | {minute.Min(s => s.Megabytes):N1} | {minute.Max(s => s.Megabytes):N1} |");
        }

        return text.ToString();
    }
}
