using System.Diagnostics;
using Tollgate.Bench.Load.Http;
using Tollgate.Bench.Load.Measuring;

namespace Tollgate.Bench.Load.Scenarios;

/// <summary>Result of a fixed-rate run.</summary>
/// <param name="Queued">Requests that found every connection busy and waited for one (the wait is in their latency).</param>
/// <param name="SendLag">How late the scheduler sent the requests that found an idle connection: the generator's own accuracy.</param>
internal sealed record OpenLoopResult(int Scheduled, int Completed, int Errors, int Queued, Distribution Latency, Distribution SendLag);

/// <summary>
/// Requests at a fixed rate whatever the server does (wrk2's model, without coordinated omission):
/// request i is due at start + i/rate whether or not earlier answers came back, so a stalled server is
/// charged for every request that had to wait, not only for the one it was slow on.
/// </summary>
/// <remarks>
/// A scheduler thread sleeps until each due time (<see cref="PreciseClock"/>) and writes the request on an
/// idle connection; each connection's thread blocks reading answers. A request sent at once is timed from
/// its write: the scheduler's own wake-up lateness on a busy machine (<see cref="OpenLoopResult.SendLag"/>)
/// is the generator's, not the server's. With no idle connection (the server is holding all of them) the
/// request waits in a queue for the next connection to finish, and is timed from its due time, so that
/// wait is in its latency.
/// </remarks>
internal static class OpenLoop
{
    public static OpenLoopResult Run(Target target, byte[] request, double rate, TimeSpan duration, int connections)
    {
        var scheduled = (int)Math.Round(rate * duration.TotalSeconds);
        var state = new Shared(request, scheduled);
        var workers = new Worker[connections];
        for (var i = 0; i < connections; i++)
        {
            workers[i] = new Worker(target, state);
            workers[i].Start();
        }

        var schedulerThread = new Thread(() => Schedule(state, rate), 256 * 1024) { IsBackground = true, Name = "open-loop" };
        schedulerThread.Start();
        schedulerThread.Join();
        if (!state.AllDone.Wait(TimeSpan.FromSeconds(30)))
        {
            Console.Error.WriteLine($"{target.Name}: {scheduled - state.Finished} requests still unanswered 30 s after the last was due; counted as errors.");
        }

        foreach (var worker in workers)
        {
            worker.Stop();
        }

        var latencies = new Samples();
        var errors = scheduled - state.Finished;
        foreach (var worker in workers)
        {
            latencies.AddRange(worker.Latencies);
            errors += worker.Errors;
        }

        state.AllDone.Dispose();
        return new OpenLoopResult(scheduled, latencies.Count, errors, state.Queued, latencies.Summarize(), state.SchedulerLag.Summarize());
    }

    private static void Schedule(Shared state, double rate)
    {
        PreciseClock.TightenThisThread();
        var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 100);
        var interval = Stopwatch.Frequency / rate;
        for (var i = 0; i < state.Scheduled; i++)
        {
            var due = start + (long)(i * interval);
            PreciseClock.SleepUntil(due);
            Worker? idle;
            lock (state)
            {
                if (!state.Idle.TryDequeue(out idle))
                {
                    state.Waiting.Enqueue(due);
                    state.Queued++;
                    continue;
                }
            }

            var now = Stopwatch.GetTimestamp();
            state.SchedulerLag.Add(now - due);
            idle.Send(now);
        }
    }

    private sealed class Shared(byte[] request, int scheduled)
    {
        private int _finished;

        public byte[] Request { get; } = request;

        public int Scheduled { get; } = scheduled;

        /// <summary>
        /// Idle connections, first in first out so that each is used every few ms: no server closes one as
        /// idle (Node's keep-alive timeout is 5 s). Guarded by locking this object.
        /// </summary>
        public Queue<Worker> Idle { get; } = new();

        /// <summary>Due times of requests that found no idle connection; guarded by locking this object.</summary>
        public Queue<long> Waiting { get; } = new();

        /// <summary>Written by the scheduler thread only.</summary>
        public Samples SchedulerLag { get; } = new();

        /// <summary>Guarded by locking this object.</summary>
        public int Queued { get; set; }

        public ManualResetEventSlim AllDone { get; } = new();

        public int Finished => Volatile.Read(ref _finished);

        public void OneFinished()
        {
            if (Interlocked.Increment(ref _finished) == Scheduled)
            {
                AllDone.Set();
            }
        }
    }

    private sealed class Worker(Target target, Shared state)
    {
        private readonly Thread _thread = new(static w => ((Worker)w!).Loop(), 256 * 1024) { IsBackground = true, Name = "open-loop-connection" };
        private RawConnection _connection = RawConnection.Connect(target.EndPoint);
        /// <summary>When the request in flight started counting (its write, or its due time if it was queued); 0 when idle.</summary>
        private long _due;
        private volatile bool _stopping;

        public Samples Latencies { get; } = new();

        public int Errors { get; private set; }

        public void Start()
        {
            lock (state)
            {
                state.Idle.Enqueue(this);
            }

            _thread.Start(this);
        }

        /// <summary>Writes a request timed from <paramref name="due"/>; its answer is read by this connection's thread.</summary>
        public void Send(long due)
        {
            Volatile.Write(ref _due, due);
            try
            {
                _connection.Send(state.Request);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The read side sees the broken socket and counts the error.
            }
        }

        public void Stop()
        {
            _stopping = true;
            _connection.Dispose();
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        private void Loop()
        {
            while (!_stopping)
            {
                int status;
                try
                {
                    status = _connection.ReadResponse();
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidDataException)
                {
                    status = -1;
                }

                if (_stopping)
                {
                    return;
                }

                var end = Stopwatch.GetTimestamp();
                var due = Volatile.Read(ref _due);
                if (status < 0 || _connection.MustReconnect)
                {
                    if (!Reconnect(due, status))
                    {
                        return;
                    }

                    if (status < 0)
                    {
                        continue;
                    }
                }

                if (status == 200)
                {
                    Latencies.Add(end - due);
                }
                else
                {
                    Errors++;
                }

                Volatile.Write(ref _due, 0);
                state.OneFinished();
                TakeNext();
            }
        }

        /// <summary>Replaces a connection the server closed; a request that was on it counts as an error.</summary>
        private bool Reconnect(long due, int status)
        {
            lock (state)
            {
                // Out of the idle stack while there is no socket under it.
                var others = state.Idle.Where(w => w != this).ToArray();
                state.Idle.Clear();
                foreach (var other in others)
                {
                    state.Idle.Enqueue(other);
                }
            }

            _connection.Dispose();
            try
            {
                _connection = RawConnection.Connect(target.EndPoint);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }

            if (status < 0)
            {
                if (due != 0)
                {
                    Errors++;
                    Volatile.Write(ref _due, 0);
                    state.OneFinished();
                }

                TakeNext();
            }

            return true;
        }

        private void TakeNext()
        {
            long next;
            lock (state)
            {
                if (!state.Waiting.TryDequeue(out next))
                {
                    state.Idle.Enqueue(this);
                    return;
                }
            }

            Send(next);
        }
    }
}
