using System.Threading.RateLimiting;

namespace Tollgate.Keys;

/// <summary>
/// A key's <c>rpm_limit</c> (sliding one-minute window), <c>tpm_limit</c> (<see cref="TokenWindows"/>)
/// and <c>max_parallel_requests</c> on this instance alone (the default; <see cref="RedisKeyLimiter"/>
/// shares them across instances). Limiters are per (key, limit), so a changed limit starts a fresh
/// one; idle ones are dropped by <see cref="PartitionedRateLimiter"/>'s own sweep.
/// </summary>
internal sealed class LocalKeyLimiter(TokenWindows tokens) : IKeyLimiter, IAsyncDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<Partition> _requestsPerMinute = PartitionedRateLimiter.Create<Partition, Partition>(
        static partition => RateLimitPartition.GetSlidingWindowLimiter(partition, static p => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = (int)Math.Min(p.Limit, int.MaxValue),
            Window = Minute,
            SegmentsPerWindow = 12,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private readonly PartitionedRateLimiter<Partition> _parallel = PartitionedRateLimiter.Create<Partition, Partition>(
        static partition => RateLimitPartition.GetConcurrencyLimiter(partition, static p => new ConcurrencyLimiterOptions
        {
            PermitLimit = (int)Math.Min(p.Limit, int.MaxValue),
            QueueLimit = 0,
        }));

    public ValueTask<LimitDecision> TryAcquireAsync(StoredKey key, CancellationToken cancellationToken) => new(TryAcquire(key));

    public void RecordTokens(KeyHash key, long count) => tokens.Add(key, count);

    public LimitDecision TryAcquire(StoredKey key)
    {
        if (key.TpmLimit is { } tpm && tokens.Used(key.Token) is var (used, freesIn) && used >= tpm)
        {
            return LimitDecision.OverTokensPerMinute(tpm, freesIn);
        }

        if (key.RpmLimit is { } rpm)
        {
            using var lease = _requestsPerMinute.AttemptAcquire(new Partition(key.Token, rpm));
            if (!lease.IsAcquired)
            {
                var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(5);
                return LimitDecision.OverRequestsPerMinute(rpm, retryAfter);
            }
        }

        if (key.MaxParallelRequests is { } parallel)
        {
            var lease = _parallel.AttemptAcquire(new Partition(key.Token, parallel));
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                return LimitDecision.OverParallelRequests(parallel);
            }

            return LimitDecision.Granted(lease);
        }

        return LimitDecision.Granted(null);
    }

    public async ValueTask DisposeAsync()
    {
        await _requestsPerMinute.DisposeAsync();
        await _parallel.DisposeAsync();
    }

    private readonly record struct Partition(KeyHash Token, long Limit);
}
