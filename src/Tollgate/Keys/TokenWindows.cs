using System.Collections.Concurrent;

namespace Tollgate.Keys;

/// <summary>
/// Tokens used per key over the last minute, on this instance, in twelve five-second buckets: the
/// local half of <c>tpm_limit</c>. Tokens are only known once a call ends, so the limit refuses the
/// calls that come after the minute's tokens are spent (as LiteLLM's does).
/// </summary>
internal sealed class TokenWindows(TimeProvider time)
{
    public const int Buckets = 12;
    public static readonly TimeSpan BucketLength = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<KeyHash, Window> _windows = new();

    public void Add(KeyHash key, long tokens)
    {
        if (tokens > 0)
        {
            _windows.GetOrAdd(key, static _ => new Window()).Add(CurrentBucket(), tokens);
        }
    }

    /// <summary>Tokens in the last minute, and how long until the oldest of them leave the window.</summary>
    public (long Used, TimeSpan FreesIn) Used(KeyHash key) =>
        _windows.TryGetValue(key, out var window) ? window.Sum(CurrentBucket()) : (0, TimeSpan.Zero);

    private long CurrentBucket() => time.GetUtcNow().UtcTicks / BucketLength.Ticks;

    private sealed class Window
    {
        private readonly long[] _bucketIds = new long[Buckets];
        private readonly long[] _counts = new long[Buckets];

        public void Add(long bucket, long tokens)
        {
            var slot = (int)(bucket % Buckets);
            lock (_counts)
            {
                if (_bucketIds[slot] != bucket)
                {
                    _bucketIds[slot] = bucket;
                    _counts[slot] = 0;
                }

                _counts[slot] += tokens;
            }
        }

        public (long Used, TimeSpan FreesIn) Sum(long bucket)
        {
            long used = 0;
            var oldest = bucket;
            lock (_counts)
            {
                for (var i = 0; i < Buckets; i++)
                {
                    if (_bucketIds[i] > bucket - Buckets && _counts[i] > 0)
                    {
                        used += _counts[i];
                        oldest = Math.Min(oldest, _bucketIds[i]);
                    }
                }
            }

            return (used, BucketLength * (oldest + Buckets - bucket));
        }
    }
}
