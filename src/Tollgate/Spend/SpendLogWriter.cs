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
/// the database answers again; on shutdown, once in-flight requests are done, every queued row is
/// written (or spilled). Writes are idempotent on <c>request_id</c>, so a replay never counts twice.
/// </summary>
internal sealed partial class SpendLogWriter(
    SpendLogRepository repository, SpillFile spill, KeySpendLedger ledger, TimeProvider time, ILogger<SpendLogWriter> logger)
    : IHostedLifecycleService
{
    public const int Capacity = 10_000;
    private const int MaxBatch = 500;
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];
    private static readonly TimeSpan ReplayInterval = TimeSpan.FromSeconds(5);

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
    private Task _loop = Task.CompletedTask;
    private long _written;
    private long _retries;
    private long _spilled;
    private long _lastReplayAttempt;
    private bool _spillPending;

    public int QueueDepth => _queue.Reader.Count;

    public long Written => Interlocked.Read(ref _written);

    public long Retries => Interlocked.Read(ref _retries);

    public long Spilled => Interlocked.Read(ref _spilled);

    /// <summary>Queues a row; waits (never drops) when the queue is full, which slows callers rather than losing rows.</summary>
    public ValueTask EnqueueAsync(SpendLogRow row) =>
        _queue.Writer.TryWrite(row) ? ValueTask.CompletedTask : _queue.Writer.WriteAsync(row);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after the server has stopped and its requests have ended: drain what they queued.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of shutdown time: whatever is still queued goes to the spill file.
            var left = new List<SpendLogRow>();
            while (_queue.Reader.TryRead(out var row))
            {
                left.Add(row);
            }

            if (left.Count > 0)
            {
                await spill.AppendAsync(left, CancellationToken.None);
                Interlocked.Add(ref _spilled, left.Count);
            }
        }
    }

    private async Task RunAsync()
    {
        _spillPending = spill.HasRows;
        await ReplaySpillAsync();
        var batch = new List<SpendLogRow>(MaxBatch);
        var reader = _queue.Reader;
        while (await WaitForRowsAsync(reader))
        {
            await GatherAsync(reader);
            while (batch.Count < MaxBatch && reader.TryRead(out var row))
            {
                batch.Add(row);
            }

            if (batch.Count > 0)
            {
                await WriteOrSpillAsync(batch);
                batch.Clear();
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
            spill.Delete();
            _spillPending = false;
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
    }
}
