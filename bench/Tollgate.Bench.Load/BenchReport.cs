using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Tollgate.Bench.Load;

/// <summary>The markdown report: three tables, the ratios, and issue 7's targets against this run.</summary>
internal static class BenchReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Markdown(BenchSettings settings, IReadOnlyList<RowResult> rows, IReadOnlyList<KeyValuePair<string, double>> othersCpu, DateTimeOffset when)
    {
        var direct = Find(rows, "direct");
        var yarp = Find(rows, "yarp");
        var tollgate = Find(rows, "tollgate");
        var portkey = Find(rows, "portkey");
        var md = new StringBuilder();

        md.Append(Invariant, $"# End-to-end benchmark, {when:yyyy-MM-dd HH:mm} UTC\n\n");
        md.Append(Invariant, $"`bench/run.sh` on {Environment.ProcessorCount} cores ({CpuModel()}), {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}. ");
        md.Append("The load generator (`bench/Tollgate.Bench.Load`) and every server share these cores; compare rows of one run, not runs of different machines. ");
        md.Append("Share of the cores used by processes other than the servers and the generator, by scenario: ")
          .Append(string.Join(", ", othersCpu.Select(o => $"{o.Key} **{Number(o.Value * 100, "N0")} %**")))
          .Append(" (above a few per cent, that scenario's figures are disturbed).\n\n");
        foreach (var note in settings.Notes)
        {
            md.Append("- ").Append(note).Append('\n');
        }

        md.Append(Invariant, $"- Non-streaming: `{settings.Size}` answer; saturation {settings.Connections} connections × {settings.SaturationSeconds:0.#} s and concurrency 1 for {settings.SingleSeconds:0.#} s per row, each in {settings.Rounds} rounds that go through the rows in turn; fixed rate {settings.Rate:0.#}/s for {settings.RateSeconds:0.#} s (open loop: requests leave on schedule whatever the answers; one that finds every connection busy is timed from its due time).\n");
        md.Append(Invariant, $"- Streams: {settings.Streams} concurrent, {settings.Events} events {settings.EventDelayMs} ms apart after {settings.ThinkMs} ms think, requests spread over {settings.RampMs} ms; {settings.Rounds} rounds through the rows (the *complete* column counts every round's streams).\n");
        md.Append("- *Added* = the row's figure minus direct's at the same percentile. Latencies in µs.\n\n");

        md.Append("## Requests\n\n");
        md.Append(Invariant, $"| row | req/s ({settings.Connections} conn) | c=1 p50 | c=1 p99 | added c=1 p50 | added c=1 p99 | {settings.Rate:0.#}/s p50 | {settings.Rate:0.#}/s p99 | added p99 at {settings.Rate:0.#}/s | errors |\n");
        md.Append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        foreach (var row in rows)
        {
            var errors = (row.Saturation?.Errors ?? 0) + (row.Single?.Errors ?? 0) + (row.FixedRate?.Errors ?? 0);
            md.Append(Invariant, $"| {row.Target.Name} | {row.Saturation?.RequestsPerSecond:N0} | {Us(row.Single?.Latency.P50)} | {Us(row.Single?.Latency.P99)} | ")
              .Append(Invariant, $"{Added(row, direct, r => r.Single?.Latency.P50)} | {Added(row, direct, r => r.Single?.Latency.P99)} | ")
              .Append(Invariant, $"{Us(row.FixedRate?.Latency.P50)} | {Us(row.FixedRate?.Latency.P99)} | {Added(row, direct, r => r.FixedRate?.Latency.P99)} | {errors} |\n");
        }

        md.Append("\nFixed rate: requests that found all ")
          .Append(Invariant, $"{settings.RateConnections} connections busy waited for one, and that wait is in their latency (queued: ")
          .Append(string.Join(", ", rows.Select(r => $"{r.Target.Name} {r.FixedRate?.Queued}")))
          .Append("). The others are timed from their write; the generator's own lateness writing them, p99: ")
          .Append(string.Join(", ", rows.Select(r => $"{r.Target.Name} {Us(r.FixedRate?.SendLag.P99)} µs")))
          .Append(".\n\n");

        md.Append("## Streams\n\n");
        md.Append("| row | complete | first event p50 (ms) | first event p99 (ms) | added TTFB p50 | added TTFB p99 | event transit p50 | event transit p99 | added per-event p99 |\n");
        md.Append("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        foreach (var row in rows)
        {
            var s = row.Streams;
            md.Append(Invariant, $"| {row.Target.Name} | {s?.Completed}/{s?.Streams} | {Ms(s?.FirstEvent.P50)} | {Ms(s?.FirstEvent.P99)} | ")
              .Append(Invariant, $"{Added(row, direct, r => r.Streams?.FirstEventNet.P50)} | {Added(row, direct, r => r.Streams?.FirstEventNet.P99)} | ")
              .Append(Invariant, $"{Us(s?.EventTransit.P50)} | {Us(s?.EventTransit.P99)} | {Added(row, direct, r => r.Streams?.EventTransit.P99)} |\n");
        }

        md.Append("\n*First event* runs from the request to the first event read, the fake's think time included. ");
        md.Append("*Added TTFB* leaves that think time out (request → fake, plus fake's first write → read, from the timestamps the fake writes into each event id), so the fake's timer jitter does not hide what a gateway adds. ");
        md.Append("*Event transit* is each event's fake-write → client-read time.\n\n");
        foreach (var row in rows.Where(r => r.Streams?.FirstFailure is not null))
        {
            md.Append(Invariant, $"{row.Target.Name}: first failed stream: {row.Streams!.FirstFailure}\n\n");
        }

        md.Append("## Memory\n\n| row | peak RSS (MB) |\n|---|--:|\n");
        foreach (var row in rows)
        {
            md.Append(Invariant, $"| {row.Target.Name}{(row.Target.Name == "direct" ? " (the fake upstream, which served every row)" : "")} | {Number(row.PeakRssMegabytes, "N0")} |\n");
        }

        md.Append("\n## Ratios\n\n");
        md.Append(Invariant, $"- Throughput Tollgate / bare YARP: **{Ratio(tollgate?.Saturation?.RequestsPerSecond, yarp?.Saturation?.RequestsPerSecond, "P0")}** (by round: {RoundRatios(tollgate, yarp)})\n");
        md.Append(Invariant, $"- Throughput Tollgate / bare YARP, median of the rounds: **{Ratio(MedianRoundRatio(tollgate, yarp), 1, "P0")}**\n");
        md.Append(Invariant, $"- Server CPU per call at saturation: Tollgate {Us(tollgate?.Saturation?.CpuPerCall)} µs, bare YARP {Us(yarp?.Saturation?.CpuPerCall)} µs: **{Ratio(tollgate?.Saturation?.CpuPerCall, yarp?.Saturation?.CpuPerCall, "0.00'×'")}** (the direct row's is the fake upstream's)\n");
        md.Append(Invariant, $"- Throughput Tollgate / Portkey: **{Ratio(tollgate?.Saturation?.RequestsPerSecond, portkey?.Saturation?.RequestsPerSecond, "0.0'×'")}**\n");
        md.Append(Invariant, $"- Added p99 at c=1, Tollgate / bare YARP: **{Ratio(AddedValue(tollgate, direct, r => r.Single?.Latency.P99), AddedValue(yarp, direct, r => r.Single?.Latency.P99), "0.00'×'")}**\n");
        md.Append(Invariant, $"- Added p99 at c=1, Tollgate / Portkey: **{Ratio(AddedValue(tollgate, direct, r => r.Single?.Latency.P99), AddedValue(portkey, direct, r => r.Single?.Latency.P99), "0.00'×'")}**\n");
        md.Append(Invariant, $"- Peak RSS Tollgate / bare YARP: **{Ratio(tollgate?.PeakRssMegabytes, yarp?.PeakRssMegabytes, "0.0'×'")}**; Tollgate / Portkey: **{Ratio(tollgate?.PeakRssMegabytes, portkey?.PeakRssMegabytes, "0.0'×'")}**\n");

        md.Append("\n## Targets, this run\n\n| target | measured | met |\n|---|---|---|\n");
        var throughput = Quotient(tollgate?.Saturation?.RequestsPerSecond, yarp?.Saturation?.RequestsPerSecond);
        Target(md, "throughput ≥ 85 % of bare YARP", $"{Ratio(throughput, 1, "P0")} (by round: {RoundRatios(tollgate, yarp)})", Check(throughput, v => v >= 0.85));
        var median = MedianRoundRatio(tollgate, yarp);
        Target(md, "throughput ≥ 95 % of bare YARP, median of the rounds (issue 14)", Ratio(median, 1, "P0"), Check(median, v => v >= 0.95));
        var cpu = Quotient(tollgate?.Saturation?.CpuPerCall, yarp?.Saturation?.CpuPerCall);
        Target(md, "CPU per call ≤ 1.10× bare YARP's (issue 14)", $"{Us(tollgate?.Saturation?.CpuPerCall)} µs vs {Us(yarp?.Saturation?.CpuPerCall)} µs", Check(cpu, v => v <= 1.10));
        var overPortkey = Quotient(tollgate?.Saturation?.RequestsPerSecond, portkey?.Saturation?.RequestsPerSecond);
        Target(md, "throughput ≥ 10× Portkey", Ratio(overPortkey, 1, "0.0'×'"), Check(overPortkey, v => v >= 10));
        var addedP99 = AddedValue(tollgate, direct, r => r.Single?.Latency.P99);
        var yarpAddedP99 = AddedValue(yarp, direct, r => r.Single?.Latency.P99);
        Target(md, "added p99 at c=1 ≤ 1.5× bare YARP's", $"{Us(addedP99)} µs vs {Us(yarpAddedP99)} µs",
            yarpAddedP99 is { } floor ? Check(addedP99, v => v <= 1.5 * Math.Max(floor, 0)) : null);
        var streams = tollgate?.Streams;
        Target(md, $"all {settings.Streams} streams complete, every round (issue: 2,000)", streams is null ? "n/a" : $"{streams.Completed}/{streams.Streams}",
            streams is null ? null : streams.Completed == streams.Streams);
        var ttfb = AddedValue(tollgate, direct, r => r.Streams?.FirstEventNet.P99);
        var yarpTtfb = AddedValue(yarp, direct, r => r.Streams?.FirstEventNet.P99);
        Target(md, $"added TTFB p99 at {settings.Streams} streams ≤ bare YARP's (issue 14)", $"{Us(ttfb)} µs vs {Us(yarpTtfb)} µs",
            yarpTtfb is { } ttfbFloor ? Check(ttfb, v => v <= ttfbFloor) : null);
        var perEvent = AddedValue(tollgate, direct, r => r.Streams?.EventTransit.P99);
        var yarpPerEvent = AddedValue(yarp, direct, r => r.Streams?.EventTransit.P99);
        Target(md, "per-event added delay p99 ≤ bare YARP's (issue 14)", $"{Us(perEvent)} µs vs {Us(yarpPerEvent)} µs",
            yarpPerEvent is { } eventFloor ? Check(perEvent, v => v <= eventFloor) : null);
        var rss = tollgate?.PeakRssMegabytes;
        Target(md, "peak RSS ≤ 300 MB", $"{Number(rss ?? double.NaN, "N0")} MB", Check(rss, v => v <= 300));
        return md.ToString();
    }

    private static void Target(StringBuilder md, string target, string measured, bool? met) =>
        md.Append(Invariant, $"| {target} | {measured} | {(met is null ? "n/a" : met.Value ? "yes" : "**no**")} |\n");

    private static bool? Check(double? value, Func<double, bool> rule) =>
        value is { } v && !double.IsNaN(v) ? rule(v) : null;

    private static double? Quotient(double? numerator, double? denominator) =>
        numerator is { } n && denominator is { } d && d != 0 ? n / d : null;

    /// <summary>Tollgate's throughput over YARP's in each round: the rows of one round ran a few seconds apart.</summary>
    private static string RoundRatios(RowResult? row, RowResult? baseline) =>
        row?.Saturation is { } ours && baseline?.Saturation is { } theirs
            ? string.Join(", ", ours.RoundRates.Zip(theirs.RoundRates, (o, t) => Ratio(o, t, "P0")))
            : "n/a";

    private static double? MedianRoundRatio(RowResult? row, RowResult? baseline)
    {
        if (row?.Saturation is not { } ours || baseline?.Saturation is not { } theirs)
        {
            return null;
        }

        var ratios = ours.RoundRates.Zip(theirs.RoundRates, (o, t) => o / t).Order().ToArray();
        return ratios.Length == 0 ? null : ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[(ratios.Length / 2) - 1] + ratios[ratios.Length / 2]) / 2;
    }

    private static RowResult? Find(IReadOnlyList<RowResult> rows, string name) =>
        rows.FirstOrDefault(r => string.Equals(r.Target.Name, name, StringComparison.OrdinalIgnoreCase));

    private static double? AddedValue(RowResult? row, RowResult? direct, Func<RowResult, double?> figure) =>
        row is null || direct is null ? null : figure(row) - figure(direct);

    private static string Added(RowResult row, RowResult? direct, Func<RowResult, double?> figure) =>
        row == direct ? "—" : Us(AddedValue(row, direct, figure));

    private static string Ratio(double? numerator, double? denominator, string format) =>
        numerator is { } n && denominator is { } d && d != 0 && !double.IsNaN(n) && !double.IsNaN(d) ? (n / d).ToString(format, Invariant) : "n/a";

    private static string Us(double? micros) => Number(micros ?? double.NaN, "N0");

    private static string Ms(double? micros) => Number((micros ?? double.NaN) / 1000, "N2");

    private static string Number(double value, string format) => double.IsNaN(value) ? "n/a" : value.ToString(format, Invariant);

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
