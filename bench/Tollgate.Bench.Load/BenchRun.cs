using System.Globalization;
using System.Text;
using Tollgate.Bench.Load.Http;
using Tollgate.Bench.Load.Measuring;
using Tollgate.Bench.Load.Scenarios;

namespace Tollgate.Bench.Load;

/// <summary>Everything measured for one row.</summary>
internal sealed class RowResult(Target target)
{
    public Target Target { get; } = target;

    public ClosedLoopResult? Saturation { get; set; }

    public ClosedLoopResult? Single { get; set; }

    public OpenLoopResult? FixedRate { get; set; }

    public StreamResult? Streams { get; set; }

    public double PeakRssMegabytes { get; set; } = double.NaN;
}

/// <summary>
/// Runs every scenario against every row, one row at a time, scenario by scenario (so a disturbance on
/// the shared machine lands on all rows of a scenario rather than all scenarios of a row); saturation and
/// concurrency 1, and the streams, go round the rows several times for the same reason.
/// </summary>
internal static class BenchRun
{
    /// <returns>The rows, and per scenario the share of the cores other processes used while it ran.</returns>
    public static async Task<(IReadOnlyList<RowResult> Rows, IReadOnlyList<KeyValuePair<string, double>> OthersCpu)> RunAsync(BenchSettings settings, IReadOnlyList<Target> targets)
    {
        var pids = targets.Select(t => t.Pid).ToArray();
        var othersCpu = new List<KeyValuePair<string, double>>();
        MachineCpu machine = null!;
        void Begin() => machine = MachineCpu.Start(pids);
        void End(string scenario)
        {
            var share = machine.OthersShare();
            othersCpu.Add(new(scenario, share));
            Console.WriteLine($"  (other processes used {share:P0} of the cores during {scenario})");
        }

        var rows = targets.Select(t => new RowResult(t)).ToArray();
        var json = targets.ToDictionary(t => t, t => RequestBytes.Post(t, RequestBytes.ChatBody, [new("x-bench-size", settings.Size)]));
        var stream = targets.ToDictionary(t => t, t => RequestBytes.Post(t, RequestBytes.StreamBody,
        [
            new("x-bench-events", settings.Events.ToString(CultureInfo.InvariantCulture)),
            new("x-bench-delay-ms", settings.EventDelayMs.ToString(CultureInfo.InvariantCulture)),
            new("x-bench-think-ms", settings.ThinkMs.ToString(CultureInfo.InvariantCulture)),
        ]));
        var warmStream = targets.ToDictionary(t => t, t => RequestBytes.Post(t, RequestBytes.StreamBody,
            [new("x-bench-events", "4"), new("x-bench-delay-ms", "1"), new("x-bench-think-ms", "0")]));
        var expectedEvents = settings.Events + 2; // content events, the finish chunk, the usage chunk

        foreach (var target in targets)
        {
            Verify(target, json[target], warmStream[target]);
        }

        Console.WriteLine($"All {targets.Count} rows answer correctly. Warming up ({settings.WarmupSeconds:0.#} s each)...");
        foreach (var target in targets)
        {
            ClosedLoop.Run(target, json[target], settings.Connections, TimeSpan.FromSeconds(settings.WarmupSeconds));
            await StreamLoad.RunAsync(target, warmStream[target], 32, 6, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
        }

        Begin();
        var saturation = await InRoundsAsync(settings, rows, row =>
        {
            var (run, cpu) = ProcessCpu.During(row.Target.Pid, () => ClosedLoop.Run(
                row.Target, json[row.Target], settings.Connections, TimeSpan.FromSeconds(settings.SaturationSeconds / settings.Rounds)));
            return Task.FromResult(run with { ServerCpu = cpu });
        });
        foreach (var row in rows)
        {
            row.Saturation = ClosedLoopResult.Of(saturation[row]);
            Report(row.Target, $"saturation ({settings.Connections} connections)", $"{row.Saturation.RequestsPerSecond,9:N0} req/s  p50 {row.Saturation.Latency.P50:N0} µs  p99 {row.Saturation.Latency.P99:N0} µs  errors {row.Saturation.Errors}  CPU {row.Saturation.CpuPerCall:N0} µs/call  rounds {string.Join(" / ", row.Saturation.RoundRates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}");
        }

        End("saturation");
        Begin();
        var single = await InRoundsAsync(settings, rows, row => Task.FromResult(ClosedLoop.Run(
            row.Target, json[row.Target], 1, TimeSpan.FromSeconds(settings.SingleSeconds / settings.Rounds))));
        foreach (var row in rows)
        {
            row.Single = ClosedLoopResult.Of(single[row]);
            Report(row.Target, "concurrency 1", $"p50 {row.Single.Latency.P50:N0} µs  p99 {row.Single.Latency.P99:N0} µs  ({row.Single.Completed:N0} requests, errors {row.Single.Errors})");
        }

        End("concurrency 1");
        Begin();
        foreach (var row in rows)
        {
            row.FixedRate = OpenLoop.Run(row.Target, json[row.Target], settings.Rate, TimeSpan.FromSeconds(settings.RateSeconds), settings.RateConnections);
            Report(row.Target, $"fixed rate {settings.Rate:N0}/s", $"p50 {row.FixedRate.Latency.P50:N0} µs  p99 {row.FixedRate.Latency.P99:N0} µs  (queued {row.FixedRate.Queued}, send lag p50 {row.FixedRate.SendLag.P50:N0} p99 {row.FixedRate.SendLag.P99:N0} µs, errors {row.FixedRate.Errors})");
        }

        End("fixed rate");
        Begin();
        var timeout = TimeSpan.FromMilliseconds(settings.RampMs + settings.ThinkMs + (settings.Events * settings.EventDelayMs)) + TimeSpan.FromSeconds(30);
        var streamRuns = await InRoundsAsync(settings, rows, row =>
            StreamLoad.RunAsync(row.Target, stream[row.Target], settings.Streams, expectedEvents, TimeSpan.FromMilliseconds(settings.RampMs), timeout));

        foreach (var row in rows)
        {
            row.Streams = StreamResult.Of(streamRuns[row]);
            var s = row.Streams;
            Report(row.Target, $"{settings.Streams} streams", $"{s.Completed}/{s.Streams} complete  first event p99 {s.FirstEvent.P99 / 1000:N2} ms (net {s.FirstEventNet.P99:N0} µs)  event transit p99 {s.EventTransit.P99:N0} µs"
                + (s.FirstFailure is null ? "" : $"  first failure: {s.FirstFailure}"));
        }

        End("streams");
        foreach (var row in rows)
        {
            row.PeakRssMegabytes = ProcessMemory.PeakRssMegabytes(row.Target.Pid);
        }

        return (rows, othersCpu);
    }

    /// <summary>Runs every row once per round, row after row; each row's runs in round order.</summary>
    private static async Task<Dictionary<RowResult, List<TRun>>> InRoundsAsync<TRun>(BenchSettings settings, RowResult[] rows, Func<RowResult, Task<TRun>> run)
    {
        var runs = rows.ToDictionary(r => r, _ => new List<TRun>());
        for (var round = 0; round < settings.Rounds; round++)
        {
            foreach (var row in rows)
            {
                runs[row].Add(await run(row));
            }
        }

        return runs;
    }

    /// <summary>One JSON answer and one short stream, checked before anything is timed.</summary>
    /// <exception cref="InvalidOperationException">The row answers wrongly (bad key, wrong upstream, broken stream).</exception>
    private static void Verify(Target target, byte[] json, byte[] stream)
    {
        using var connection = RawConnection.Connect(target.EndPoint);
        var body = new CapturedBody();
        connection.Send(json);
        var status = connection.ReadResponse(body);
        if (status != 200 || !body.Text.Contains("\"chatcmpl-bench\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{target.Name} ({target.Url}) answered {status}: {Shorten(body.Text)}");
        }

        var events = new CapturedBody();
        if (connection.MustReconnect)
        {
            throw new InvalidOperationException($"{target.Name} closes the connection after each answer; the load would measure connects.");
        }

        connection.Send(stream);
        status = connection.ReadResponse(events);
        if (status != 200 || !events.Text.Contains("data: [DONE]", StringComparison.Ordinal) || !events.Text.Contains("\"usage\":", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{target.Name} ({target.Url}) streamed {status}: {Shorten(events.Text)}");
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private static void Report(Target target, string scenario, string figures) =>
        Console.WriteLine($"  {scenario,-26} {target.Name,-9} {figures}");

    private sealed class CapturedBody : IBodySink
    {
        private readonly StringBuilder _text = new();

        public string Text => _text.ToString();

        public void OnBody(ReadOnlySpan<byte> data, long arrivedAt) => _text.Append(Encoding.UTF8.GetString(data));
    }
}
