using System.Diagnostics;
using Tollgate.Bench.Load.Http;
using Tollgate.Bench.Load.Measuring;

namespace Tollgate.Bench.Load.Scenarios;

/// <summary>Result of closed-loop runs of one row: throughput and the latency of every request, over all its rounds.</summary>
/// <param name="CpuPerCall">The row's server process CPU time per answered request, in µs (user + system, every thread).</param>
internal sealed record ClosedLoopResult(int Completed, int Errors, double RequestsPerSecond, Distribution Latency, IReadOnlyList<double> RoundRates, double CpuPerCall)
{
    public static ClosedLoopResult Of(IReadOnlyList<ClosedLoopRun> rounds)
    {
        var latencies = new Samples();
        foreach (var round in rounds)
        {
            latencies.AddRange(round.Latencies);
        }

        var seconds = rounds.Sum(r => r.Seconds);
        return new ClosedLoopResult(latencies.Count, rounds.Sum(r => r.Errors), seconds > 0 ? latencies.Count / seconds : 0,
            latencies.Summarize(), [.. rounds.Select(r => r.RequestsPerSecond)],
            latencies.Count > 0 ? rounds.Sum(r => r.ServerCpu.TotalMicroseconds) / latencies.Count : double.NaN);
    }
}

/// <summary>One closed-loop run: the latency of every answered request, errors, and how long it took.</summary>
internal sealed record ClosedLoopRun(Samples Latencies, int Errors, double Seconds)
{
    /// <summary>The CPU time the row's server process used during the run.</summary>
    public TimeSpan ServerCpu { get; init; }

    public double RequestsPerSecond => Seconds > 0 ? Latencies.Count / Seconds : 0;
}

/// <summary>
/// N connections, each sending its next request as soon as the last answer is read, for a fixed time
/// (wrk's model). With one connection this is the latency at concurrency 1; with many, the throughput at
/// saturation. Each connection runs on its own thread with blocking socket calls: the least work per request.
/// </summary>
internal static class ClosedLoop
{
    public static ClosedLoopRun Run(Target target, byte[] request, int connections, TimeSpan duration)
    {
        var workers = new Worker[connections];
        using var ready = new CountdownEvent(connections);
        using var go = new ManualResetEventSlim();
        var threads = new Thread[connections];
        long startAt = 0;
        long stopAt = 0;
        for (var i = 0; i < connections; i++)
        {
            var worker = workers[i] = new Worker(target, request);
            threads[i] = new Thread(() =>
            {
                worker.Open();
                ready.Signal();
                go.Wait();
                worker.Loop(Volatile.Read(ref stopAt));
            }, 256 * 1024)
            { IsBackground = true, Name = "closed-loop" };
            threads[i].Start();
        }

        if (!ready.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"{target.Name}: could not open {connections} connections in 30 s.");
        }

        startAt = Stopwatch.GetTimestamp();
        Volatile.Write(ref stopAt, startAt + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        go.Set();
        foreach (var thread in threads)
        {
            // A request in flight at the stop gets its answer, or the socket is closed under it after 30 s.
            if (!thread.Join(duration + TimeSpan.FromSeconds(30)))
            {
                foreach (var worker in workers)
                {
                    worker.Close();
                }

                thread.Join();
            }
        }

        var latencies = new Samples();
        var errors = 0;
        long lastEnd = startAt;
        foreach (var worker in workers)
        {
            latencies.AddRange(worker.Latencies);
            errors += worker.Errors;
            lastEnd = Math.Max(lastEnd, worker.LastEnd);
            worker.Close();
        }

        return new ClosedLoopRun(latencies, errors, Stopwatch.GetElapsedTime(startAt, lastEnd).TotalSeconds);
    }

    private sealed class Worker(Target target, byte[] request)
    {
        private RawConnection? _connection;

        public Samples Latencies { get; } = new();

        public int Errors { get; private set; }

        public long LastEnd { get; private set; }

        public void Open() => _connection = RawConnection.Connect(target.EndPoint);

        public void Loop(long stopAt)
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var start = Stopwatch.GetTimestamp();
                int status;
                try
                {
                    _connection ??= RawConnection.Connect(target.EndPoint);
                    _connection.Send(request);
                    status = _connection.ReadResponse();
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidDataException)
                {
                    status = -1;
                }

                var end = Stopwatch.GetTimestamp();
                LastEnd = end;
                if (status == 200)
                {
                    Latencies.Add(end - start);
                }
                else
                {
                    Errors++;
                }

                if (status < 0 || _connection?.MustReconnect == true)
                {
                    Close();
                    _connection = null;
                    if (status < 0 && Errors > 1000)
                    {
                        return;
                    }
                }
            }
        }

        public void Close() => _connection?.Dispose();
    }
}
