using System.Buffers.Text;
using System.Diagnostics;
using Tollgate.Bench.Load.Http;
using Tollgate.Bench.Load.Measuring;

namespace Tollgate.Bench.Load.Scenarios;

/// <summary>Result of the concurrent-streams run (times in µs).</summary>
/// <param name="Streams">Streams started.</param>
/// <param name="Completed">Streams that got every event and <c>[DONE]</c> with status 200.</param>
/// <param name="FirstEvent">Request sent → first event read: the think time plus everything in the way.</param>
/// <param name="FirstEventNet">The same without the fake's think time: request sent → the fake has it, plus
/// the fake wrote the first event → it is read. What a gateway adds to time to first byte shows here.</param>
/// <param name="EventTransit">Each event: the fake wrote it → the client read it.</param>
internal sealed record StreamResult(int Streams, int Completed, Distribution FirstEvent, Distribution FirstEventNet, Distribution EventTransit, string? FirstFailure)
{
    /// <summary>One row's rounds together: streams and completions summed, every sample in the percentiles.</summary>
    public static StreamResult Of(IReadOnlyList<StreamRun> rounds)
    {
        var firstEvent = new Samples();
        var firstEventNet = new Samples();
        var transit = new Samples();
        foreach (var round in rounds)
        {
            firstEvent.AddRange(round.FirstEvent);
            firstEventNet.AddRange(round.FirstEventNet);
            transit.AddRange(round.Transit);
        }

        return new StreamResult(rounds.Sum(r => r.Streams), rounds.Sum(r => r.Completed), firstEvent.Summarize(), firstEventNet.Summarize(),
            transit.Summarize(), rounds.Select(r => r.FirstFailure).FirstOrDefault(f => f is not null));
    }
}

/// <summary>One stream run: what completed, and every first-event and per-event sample.</summary>
internal sealed record StreamRun(int Streams, int Completed, Samples FirstEvent, Samples FirstEventNet, Samples Transit, string? FirstFailure);

/// <summary>
/// Many SSE streams at once, each on its own connection: all connections are opened first, then the
/// requests go out spread evenly over a ramp, and every event is timed against the timestamp the fake
/// upstream wrote into it (see the fake's <c>FakeChat</c>).
/// </summary>
internal static class StreamLoad
{
    public static async Task<StreamRun> RunAsync(Target target, byte[] request, int streams, int expectedEvents, TimeSpan ramp, TimeSpan timeout)
    {
        var connections = new RawConnection?[streams];
        var connectFailures = new string?[streams];
        using var connectGate = new SemaphoreSlim(64);
        using var timeoutSource = new CancellationTokenSource(timeout);
        await Task.WhenAll(Enumerable.Range(0, streams).Select(async i =>
        {
            try
            {
                await connectGate.WaitAsync(timeoutSource.Token);
                try
                {
                    connections[i] = await RawConnection.ConnectAsync(target.EndPoint, timeoutSource.Token);
                }
                finally
                {
                    connectGate.Release();
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
            {
                connectFailures[i] = "connect: " + e.Message;
            }
        }));

        var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 20);
        var sinks = new SseSink[streams];
        var runs = new Task[streams];
        for (var i = 0; i < streams; i++)
        {
            var sink = sinks[i] = new SseSink();
            var at = start + (long)(ramp.TotalSeconds * Stopwatch.Frequency * i / streams);
            sink.Failure = connectFailures[i];
            runs[i] = connections[i] is { } connection ? RunOneAsync(connection, request, sink, at, timeoutSource.Token) : Task.CompletedTask;
        }

        await Task.WhenAll(runs);
        foreach (var connection in connections)
        {
            connection?.Dispose();
        }

        var firstEvent = new Samples();
        var firstEventNet = new Samples();
        var transit = new Samples();
        var completed = 0;
        string? firstFailure = null;
        foreach (var sink in sinks)
        {
            transit.AddRange(sink.Transit);
            if (sink.Status == 200 && sink.Done && sink.Events == expectedEvents)
            {
                completed++;
                firstEvent.Add(sink.FirstArrival - sink.SentAt);
                firstEventNet.Add((sink.UpstreamReceived - sink.SentAt) + (sink.FirstArrival - sink.FirstWritten));
            }
            else
            {
                firstFailure ??= sink.Failure ?? $"status {sink.Status}, {sink.Events} of {expectedEvents} events, [DONE] {(sink.Done ? "seen" : "missing")}";
            }
        }

        return new StreamRun(streams, completed, firstEvent, firstEventNet, transit, firstFailure);
    }

    private static async Task RunOneAsync(RawConnection connection, byte[] request, SseSink sink, long at, CancellationToken cancellationToken)
    {
        try
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), at);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            sink.SentAt = Stopwatch.GetTimestamp();
            await connection.SendAsync(request, cancellationToken);
            sink.Status = await connection.ReadResponseAsync(sink, cancellationToken);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidDataException)
        {
            sink.Failure = e.GetType().Name + ": " + e.Message;
        }
    }

    /// <summary>Splits one stream's body into SSE events and times each against the fake's stamps.</summary>
    private sealed class SseSink : IBodySink
    {
        private byte[] _pending = new byte[4096];
        private int _length;

        public long SentAt { get; set; }

        public int Status { get; set; }

        public string? Failure { get; set; }

        public long FirstArrival { get; private set; }

        public long UpstreamReceived { get; private set; }

        public long FirstWritten { get; private set; }

        public int Events { get; private set; }

        public bool Done { get; private set; }

        public Samples Transit { get; } = new();

        public void OnBody(ReadOnlySpan<byte> data, long arrivedAt)
        {
            if (_length + data.Length > _pending.Length)
            {
                Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _length + data.Length));
            }

            data.CopyTo(_pending.AsSpan(_length));
            _length += data.Length;
            var consumed = 0;
            while (_pending.AsSpan(consumed, _length - consumed).IndexOf("\n\n"u8) is var end and >= 0)
            {
                OnEvent(_pending.AsSpan(consumed, end), arrivedAt);
                consumed += end + 2;
            }

            _pending.AsSpan(consumed, _length - consumed).CopyTo(_pending);
            _length -= consumed;
        }

        private void OnEvent(ReadOnlySpan<byte> sse, long arrivedAt)
        {
            if (sse.StartsWith("data: [DONE]"u8))
            {
                Done = true;
                return;
            }

            // "id":"chatcmpl-{received}-{written}" (Stopwatch timestamps of the fake).
            var id = sse.IndexOf("chatcmpl-"u8);
            if (id < 0 || !Utf8Parser.TryParse(sse[(id + 9)..], out long received, out var length)
                || !Utf8Parser.TryParse(sse[(id + 9 + length + 1)..], out long written, out _))
            {
                return;
            }

            if (Events++ == 0)
            {
                FirstArrival = arrivedAt;
                UpstreamReceived = received;
                FirstWritten = written;
            }

            Transit.Add(arrivedAt - written);
        }
    }
}
