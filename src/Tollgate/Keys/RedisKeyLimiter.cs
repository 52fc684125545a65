using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tollgate.Telemetry;

namespace Tollgate.Keys;

/// <summary>
/// Request limits shared by every instance through Redis (<c>general_settings.redis_url</c>). Each check
/// is one atomic Lua script on Redis's own clock: a sliding one-minute log for <c>rpm_limit</c>, five-second
/// token buckets in a hash for <c>tpm_limit</c>, a set of leases for <c>max_parallel_requests</c> (each lease expires on its own, so a crashed instance
/// cannot hold slots for ever). When Redis cannot be reached the check falls back to this instance's
/// limits, so an outage never takes traffic down; the switch is logged both ways.
/// </summary>
/// <remarks>
/// A lease whose release does not reach Redis (it was away as the call ended) is released again once Redis is
/// back: before this instance's next parallel check and when the connection is restored. Otherwise each such
/// lease would hold one of the key's slots for the whole <see cref="LeaseLifetime"/> on every instance.
/// </remarks>
internal sealed partial class RedisKeyLimiter : IKeyLimiter
{
    /// <summary>How long a parallel slot can outlive the instance that took it.</summary>
    private static readonly TimeSpan LeaseLifetime = TimeSpan.FromMinutes(15);

    private const string RequestsPerMinuteScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
          local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          return math.max(1, tonumber(oldest[2]) + window - now)
        end
        redis.call('ZADD', KEYS[1], now, ARGV[3])
        redis.call('PEXPIRE', KEYS[1], window)
        return 0
        """;

    private const string ParallelScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
          return 0
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
        return 1
        """;

    private const string TokensUsedScript = """
        local t = redis.call('TIME')
        local bucket = math.floor(tonumber(t[1]) / 5)
        local all = redis.call('HGETALL', KEYS[1])
        local used, oldest = 0, bucket
        for i = 1, #all, 2 do
          local b = tonumber(all[i])
          if b > bucket - 12 then
            used = used + tonumber(all[i + 1])
            if b < oldest then oldest = b end
          else
            redis.call('HDEL', KEYS[1], all[i])
          end
        end
        if used >= tonumber(ARGV[1]) then
          return math.max(1, (oldest + 12 - bucket) * 5000)
        end
        return 0
        """;

    private const string AddTokensScript = """
        local t = redis.call('TIME')
        redis.call('HINCRBY', KEYS[1], math.floor(tonumber(t[1]) / 5), ARGV[1])
        redis.call('EXPIRE', KEYS[1], 70)
        return 0
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly LocalKeyLimiter _fallback;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<RedisKeyLimiter> _logger;
    private readonly ConcurrentQueue<(RedisKey Key, RedisValue Member)> _failedReleases = new();
    private int _degraded;

    public RedisKeyLimiter(IConnectionMultiplexer redis, LocalKeyLimiter fallback, GatewayMetrics metrics, ILogger<RedisKeyLimiter> logger)
    {
        _redis = redis;
        _fallback = fallback;
        _metrics = metrics;
        _logger = logger;
        redis.ConnectionRestored += (_, _) => _ = RetryReleasesOnReconnectAsync();
    }

    public async ValueTask<LimitDecision> TryAcquireAsync(StoredKey key, CancellationToken cancellationToken)
    {
        if (key.RpmLimit is null && key.TpmLimit is null && key.MaxParallelRequests is null)
        {
            return LimitDecision.Granted(null);
        }

        if (!_redis.IsConnected)
        {
            return FallBack(key, null);
        }

        try
        {
            var database = _redis.GetDatabase();
            var token = key.Token.ToString();
            if (key.RpmLimit is { } rpm)
            {
                var wait = (long)await database.ScriptEvaluateAsync(RequestsPerMinuteScript,
                    [(RedisKey)("tollgate:rpm:" + token)], [60_000, rpm, Guid.NewGuid().ToString("N")]);
                if (wait > 0)
                {
                    Recovered();
                    return LimitDecision.OverRequestsPerMinute(rpm, TimeSpan.FromMilliseconds(wait));
                }
            }

            if (key.TpmLimit is { } tpm)
            {
                var wait = (long)await database.ScriptEvaluateAsync(TokensUsedScript, [(RedisKey)("tollgate:tpm:" + token)], [tpm]);
                if (wait > 0)
                {
                    Recovered();
                    return LimitDecision.OverTokensPerMinute(tpm, TimeSpan.FromMilliseconds(wait));
                }
            }

            IDisposable? slot = null;
            if (key.MaxParallelRequests is { } parallel)
            {
                if (!_failedReleases.IsEmpty)
                {
                    await RetryReleasesAsync(database);
                }

                var slotKey = (RedisKey)("tollgate:parallel:" + token);
                var member = (RedisValue)Guid.NewGuid().ToString("N");
                var taken = (long)await database.ScriptEvaluateAsync(ParallelScript,
                    [slotKey], [parallel, (long)LeaseLifetime.TotalMilliseconds, member]);
                if (taken == 0)
                {
                    Recovered();
                    return LimitDecision.OverParallelRequests(parallel);
                }

                slot = new RedisSlot(this, database, slotKey, member);
            }

            Recovered();
            return LimitDecision.Granted(slot);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return FallBack(key, e);
        }
    }

    public void RecordTokens(KeyHash key, long tokens)
    {
        // Kept locally too, so the limit still knows recent use if Redis goes away.
        _fallback.RecordTokens(key, tokens);
        if (tokens <= 0 || !_redis.IsConnected)
        {
            return;
        }

        try
        {
            _redis.GetDatabase().ScriptEvaluate(AddTokensScript, [(RedisKey)("tollgate:tpm:" + key)], [tokens], CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // A fire-and-forget write that could not even be queued: the local count still holds.
        }
    }

    /// <summary>Releases the leases whose release failed; one that fails again stays for the next try, and the failure is thrown.</summary>
    private async Task RetryReleasesAsync(IDatabase database)
    {
        while (_failedReleases.TryDequeue(out var lease))
        {
            try
            {
                await database.SortedSetRemoveAsync(lease.Key, lease.Member);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                _failedReleases.Enqueue(lease);
                throw;
            }
        }
    }

    private async Task RetryReleasesOnReconnectAsync()
    {
        try
        {
            await RetryReleasesAsync(_redis.GetDatabase());
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Still unreachable: the leases wait for the next parallel check or the next restored connection.
        }
    }

    private LimitDecision FallBack(StoredKey key, Exception? exception)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            Log.FallingBack(_logger, exception?.Message ?? "not connected");
            _metrics.RedisUnavailable();
        }

        return _fallback.TryAcquire(key);
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _degraded) == 1 && Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            Log.Recovered(_logger);
            _metrics.RedisRecovered();
        }
    }

    /// <summary>Gives the slot back when the request ends; a release that fails is kept and made again once Redis is back.</summary>
    private sealed class RedisSlot(RedisKeyLimiter limiter, IDatabase database, RedisKey key, RedisValue member) : IDisposable
    {
        public void Dispose() => _ = ReleaseAsync();

        private async Task ReleaseAsync()
        {
            try
            {
                await database.SortedSetRemoveAsync(key, member);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                limiter._failedReleases.Enqueue((key, member));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.RedisUnavailable, LogLevel.Warning,
            "Redis is unreachable ({Reason}): rate and parallel limits now hold per instance until it is back; budgets are shared through the database")]
        public static partial void FallingBack(ILogger logger, string reason);

        [LoggerMessage(EventIds.RedisRecovered, LogLevel.Information, "Redis is reachable again: key limits are shared across instances")]
        public static partial void Recovered(ILogger logger);
    }
}
