using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tollgate.Keys;
using Tollgate.Telemetry;

namespace Tollgate.Spend;

/// <summary>
/// Takes spend-log rows off the request path through a bounded channel and writes them in batches.
/// A failed batch is retried with backoff, then spilled to <see cref="SpillFile"/> and replayed when
/// the database answers again. Writes are idempotent on <c>request_id</c>, so a replay never counts twice.
/// </summary>
/// <remarks>
/// Shutdown (issue 12, defect 5): when a SIGTERM outlasts the shutdown timeout, Kestrel aborts the calls still
/// running and the host stops waiting for anyone, so the process could exit while calls were unwinding toward
/// their rows and while the loop held a batch for a database that did not answer. So the writer counts the calls
/// that started and, once the server has stopped, waits for each to queue its row; then writes what is queued
/// while shutdown time is left, and when it is out, puts the batch in hand and the rest of the queue in the spill
/// file before the process may exit.
/// </remarks>
internal sealed partial class SpendLogWriter(
    SpendLogRepository repository, SpillFile spill, SpendJournal journal, KeySpendLedger ledger, TimeProvider time, ILogger<SpendLogWriter> logger)
    : IHostedLifecycleService
{
    public const int Capacity = 10_000;
    private const int MaxBatch = 500;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];
    private static readonly TimeSpan ReplayInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long a call waits at its end for its row to be written now, before it queues the row instead.</summary>
    private static readonly TimeSpan WriteNowTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long a stopping gateway waits for aborted calls to queue their rows; they need milliseconds.</summary>
    private static readonly TimeSpan UnwindGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the first row of a batch waits for company. Without it, under load the writer woke for
    /// nearly every row and paid a transaction (locks, page writes, the key's spend update) for a handful of
    /// rows; with it, request threads only append to the queue and a busy gateway commits once per interval.
    /// </summary>
    private static readonly TimeSpan GatherInterval = TimeSpan.FromMilliseconds(100);

    private readonly Channel<SpendLogRow> _queue = Channel.CreateBounded<SpendLogRow>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _callsRecorded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Rows the loop has taken off the queue and not yet written or spilled.</summary>
    private readonly List<SpendLogRow> _batch = new(MaxBatch);
    private readonly Lock _batchLock = new();
    private Task _loop = Task.CompletedTask;
    private int _openCalls;
    private int _stopped;
    private long _written;
    private long _retries;
    private long _spilled;
    private long _lastReplayAttempt;
    private bool _spillPending;

    public int QueueDepth => _queue.Reader.Count;

    public long Written => Interlocked.Read(ref _written);

    public long Retries => Interlocked.Read(ref _retries);

    public long Spilled => Interlocked.Read(ref _spilled);

    /// <summary>A call has started: a stopping gateway waits for its row (<see cref="EnqueueAsync"/>).</summary>
    public void CallStarted() => Interlocked.Increment(ref _openCalls);

    /// <summary>Queues the row of a call counted by <see cref="CallStarted"/>; waits (never drops) when the queue is full, which slows callers rather than losing rows.</summary>
    public ValueTask EnqueueAsync(SpendLogRow row)
    {
        if (_queue.Writer.TryWrite(row))
        {
            CallRecorded();
            return ValueTask.CompletedTask;
        }

        return EnqueueSlowAsync(row);
    }

    /// <summary>
    /// Writes the row of a call counted by <see cref="CallStarted"/> on the caller's time, for a budget shared
    /// through the database while Redis is away (<see cref="Keys.KeyBudget"/>).
    /// </summary>
    /// <returns>False when the database did not take it within <see cref="WriteNowTimeout"/>: queue it then.</returns>
    public async ValueTask<bool> TryWriteNowAsync(SpendLogRow row)
    {
        using var timeout = new CancellationTokenSource(WriteNowTimeout, time);
        try
        {
            var inserted = await repository.InsertAsync([row], timeout.Token);
            Interlocked.Add(ref _written, inserted.Count);
        }
        catch (Exception e) when (e is DbException or IOException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            // Should the write still land, the queued row's insert is skipped and its spend not added twice.
            return false;
        }

        journal.Settled([row]);
        CallRecorded();
        return true;
    }

    private async ValueTask EnqueueSlowAsync(SpendLogRow row)
    {
        try
        {
            await _queue.Writer.WriteAsync(row);
        }
        catch (ChannelClosedException)
        {
            // A call that outlasted the unwind grace: its row goes straight to the spill file.
            await spill.AppendAsync([row], CancellationToken.None);
            journal.Settled([row]);
            Interlocked.Increment(ref _spilled);
        }
        finally
        {
            CallRecorded();
        }
    }

    private void CallRecorded()
    {
        if (Interlocked.Decrement(ref _openCalls) == 0 && Volatile.Read(ref _stopped) == 1)
        {
            _callsRecorded.TrySetResult();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after the server has stopped (and, past the shutdown timeout, aborted its calls): every started call's row is written or spilled.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _stopped, 1);
        if (Volatile.Read(ref _openCalls) == 0)
        {
            _callsRecorded.TrySetResult();
        }

        try
        {
            // Not the host's token: past the shutdown timeout it is already cancelled, and these calls are ending now.
            await _callsRecorded.Task.WaitAsync(UnwindGrace, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            Log.CallsUnrecorded(logger, Volatile.Read(ref _openCalls), UnwindGrace.TotalSeconds);
        }

        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _loop.WaitAsync(cancellationToken);
            journal.Rotate();
            journal.Settled([]);
        }
        catch (OperationCanceledException)
        {
            // Out of shutdown time: the batch in hand (the loop may be stuck on the database) and the queue go to the
            // spill file now. Should the loop still write its batch, the replay skips those rows.
            List<SpendLogRow> left;
            lock (_batchLock)
            {
                left = [.. _batch];
                while (_queue.Reader.TryRead(out var row))
                {
                    left.Add(row);
                }
            }

            if (left.Count > 0)
            {
                Log.Spilling(logger, left.Count, spill.Path, "out of shutdown time");
                await spill.AppendAsync(left, CancellationToken.None);
                journal.Rotate();
                journal.Settled(left);
                Interlocked.Add(ref _spilled, left.Count);
            }
        }
    }

    private async Task RunAsync()
    {
        await journal.RecoverAsync(spill, CancellationToken.None);
        _spillPending = spill.HasRows;
        await ReplaySpillAsync();
        var reader = _queue.Reader;
        while (await WaitForRowsAsync(reader))
        {
            await GatherAsync(reader);
            journal.Rotate();
            lock (_batchLock)
            {
                while (_batch.Count < MaxBatch && reader.TryRead(out var row))
                {
                    _batch.Add(row);
                }
            }

            if (_batch.Count > 0)
            {
                await WriteOrSpillAsync(_batch);
                journal.Settled(_batch);
                lock (_batchLock)
                {
                    _batch.Clear();
                }
            }

            if (_spillPending && time.GetElapsedTime(_lastReplayAttempt) > ReplayInterval)
            {
                await ReplaySpillAsync();
            }
        }

        await ReplaySpillAsync();
    }

    /// <summary>False once the queue is closed and empty. While rows wait in the spill file, wakes up to replay them even without traffic.</summary>
    private async Task<bool> WaitForRowsAsync(ChannelReader<SpendLogRow> reader)
    {
        if (!_spillPending)
        {
            return await reader.WaitToReadAsync();
        }

        try
        {
            return await reader.WaitToReadAsync().AsTask().WaitAsync(ReplayInterval, time);
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>Lets a batch fill up for <see cref="GatherInterval"/>, unless it is full already or the gateway is stopping.</summary>
    private async Task GatherAsync(ChannelReader<SpendLogRow> reader)
    {
        if (reader.Count >= MaxBatch || _stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await Task.Delay(GatherInterval, time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: write what is queued now.
        }
    }

    private async Task WriteOrSpillAsync(List<SpendLogRow> batch)
    {
        for (var attempt = 0; ; attempt++)
        {
            ledger.Writing(batch, replay: false);
            try
            {
                var inserted = await repository.InsertAsync(batch, CancellationToken.None);
                ledger.Written(batch, replay: false);
                Interlocked.Add(ref _written, inserted.Count);
                return;
            }
            catch (Exception e) when (e is DbException or IOException or TimeoutException or InvalidOperationException)
            {
                // While the gateway stops there is no waiting for the database: the rows go to the spill file.
                if (attempt == RetryDelays.Length || _stopping.IsCancellationRequested)
                {
                    Log.Spilling(logger, batch.Count, spill.Path, e.Message);
                    await spill.AppendAsync(batch, CancellationToken.None);
                    ledger.NotWritten(batch, replay: false, spilled: true);
                    Interlocked.Add(ref _spilled, batch.Count);
                    _spillPending = true;
                    _lastReplayAttempt = time.GetTimestamp();
                    return;
                }

                ledger.NotWritten(batch, replay: false, spilled: false);
                Interlocked.Increment(ref _retries);
                Log.Retrying(logger, batch.Count, attempt + 1, e.Message);
                try
                {
                    await Task.Delay(RetryDelays[attempt], time, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one more try at once, then the spill file.
                }
            }
        }
    }

    private async Task ReplaySpillAsync()
    {
        _lastReplayAttempt = time.GetTimestamp();
        if (!_spillPending)
        {
            return;
        }

        var rows = await spill.ReadAsync(CancellationToken.None);
        ledger.Writing(rows, replay: true);
        try
        {
            foreach (var chunk in rows.Chunk(MaxBatch))
            {
                var inserted = await repository.InsertAsync(chunk, CancellationToken.None);
                Interlocked.Add(ref _written, inserted.Count);
            }

            // Every row of the file is in the database now, also those a write that failed late had stored.
            ledger.Written(rows, replay: true);
            _spillPending = !await spill.DeleteReplayedAsync();
            Log.Replayed(logger, rows.Count, spill.Path);
        }
        catch (Exception e) when (e is DbException or IOException or TimeoutException or InvalidOperationException)
        {
            // Still down: the file stays, and is tried again later. Rows already written are skipped then.
            ledger.NotWritten(rows, replay: true, spilled: true);
            Log.ReplayFailed(logger, rows.Count, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SpendWriteRetry, LogLevel.Warning, "Writing {Count} spend-log rows failed (attempt {Attempt}): {Reason}; retrying")]
        public static partial void Retrying(ILogger logger, int count, int attempt, string reason);

        [LoggerMessage(EventIds.SpendSpilled, LogLevel.Error, "The database refused {Count} spend-log rows: kept in {Path} until it is back ({Reason})")]
        public static partial void Spilling(ILogger logger, int count, string path, string reason);

        [LoggerMessage(EventIds.SpendReplayed, LogLevel.Information, "Replayed {Count} spilled spend-log rows from {Path}")]
        public static partial void Replayed(ILogger logger, int count, string path);

        [LoggerMessage(EventIds.SpendReplayFailed, LogLevel.Warning, "{Count} spilled spend-log rows could not be replayed yet: {Reason}")]
        public static partial void ReplayFailed(ILogger logger, int count, string reason);

        [LoggerMessage(EventIds.SpendCallsUnrecorded, LogLevel.Error, "Stopping: {Count} calls had not queued their spend-log rows {Seconds} s after the server stopped; rows that come later go to the spill file if the process is still running")]
        public static partial void CallsUnrecorded(ILogger logger, int count, double seconds);
    }
}
