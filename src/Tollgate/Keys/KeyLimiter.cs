using System.Threading.RateLimiting;

namespace Tollgate.Keys;

/// <summary>
/// A key's <c>rpm_limit</c> (sliding one-minute window) and <c>max_parallel_requests</c> on this
/// instance. Limiters are per (key, limit), so a changed limit starts a fresh one; idle ones are
/// dropped by <see cref="PartitionedRateLimiter"/>'s own sweep.
/// </summary>
internal sealed class KeyLimiter : IAsyncDisposable
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

    /// <summary>Takes one request's permits; on refusal, says which limit and when to retry.</summary>
    public LimitDecision TryAcquire(StoredKey key)
    {
        if (key.RpmLimit is { } rpm)
        {
            using var lease = _requestsPerMinute.AttemptAcquire(new Partition(key.Token, rpm));
            if (!lease.IsAcquired)
            {
                var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(5);
                return LimitDecision.Refused($"Rate limit reached: this key allows {rpm} requests per minute.", retryAfter);
            }
        }

        if (key.MaxParallelRequests is { } parallel)
        {
            var lease = _parallel.AttemptAcquire(new Partition(key.Token, parallel));
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                return LimitDecision.Refused($"Parallel request limit reached: this key allows {parallel} requests at a time.", TimeSpan.FromSeconds(1));
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

/// <summary>A granted request holds <see cref="Lease"/> (its parallel slot) until it ends; a refusal says why.</summary>
internal readonly record struct LimitDecision(bool Allowed, RateLimitLease? Lease, string? Message, TimeSpan RetryAfter)
{
    public static LimitDecision Granted(RateLimitLease? lease) => new(true, lease, null, default);

    public static LimitDecision Refused(string message, TimeSpan retryAfter) => new(false, null, message, retryAfter);
}
