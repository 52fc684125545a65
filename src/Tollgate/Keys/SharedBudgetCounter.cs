using StackExchange.Redis;

namespace Tollgate.Keys;

/// <summary>
/// With Redis, every instance adds each call's cost to one counter per key and budget window the
/// moment the call ends, so a budget holds across instances without waiting for spend rows to reach
/// the database. Money is counted in whole picodollars (exact for per-token prices). The database's
/// spend stays the record; the budget check takes the larger of the two, so neither counts twice.
/// </summary>
internal sealed class SharedBudgetCounter(IConnectionMultiplexer redis)
{
    private const decimal PicodollarsPerDollar = 1_000_000_000_000m;
    private static readonly TimeSpan AllTimeLifetime = TimeSpan.FromDays(30);

    private volatile bool _failing;

    /// <summary>
    /// False while Redis is away, or since a read of it failed and until one succeeds (the connection may not know
    /// yet that it is gone, and what is added meanwhile is lost): calls then share their cost through the database
    /// instead (see <see cref="KeyBudget"/>).
    /// </summary>
    public bool Reachable => !_failing && redis.IsConnected;

    /// <summary>The counter for the key's current budget window.</summary>
    public static string CounterKey(StoredKey key) =>
        $"tollgate:spend:{key.Token}:{key.BudgetResetAt?.ToUnixTimeMilliseconds() ?? 0}";

    /// <returns>The window's spend so far, or null when Redis cannot say.</returns>
    public async ValueTask<decimal?> SpentAsync(StoredKey key)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            var value = await redis.GetDatabase().StringGetAsync(CounterKey(key));
            _failing = false;
            return value.TryParse(out long picodollars) ? picodollars / PicodollarsPerDollar : 0m;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            _failing = true;
            return null;
        }
    }

    public void Add(string counterKey, decimal dollars, DateTimeOffset? windowEnds, DateTimeOffset now)
    {
        var picodollars = (long)decimal.Round(dollars * PicodollarsPerDollar);
        if (picodollars <= 0 || !redis.IsConnected)
        {
            return;
        }

        try
        {
            var database = redis.GetDatabase();
            database.StringIncrement(counterKey, picodollars, CommandFlags.FireAndForget);
            var lifetime = windowEnds is { } end ? end - now + TimeSpan.FromHours(1) : AllTimeLifetime;
            database.KeyExpire(counterKey, lifetime, CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // The database's spend still counts the call once its row is written.
        }
    }

    /// <summary>An operator set the key's spend: the window's counter starts again from the stored value.</summary>
    public void Reset(StoredKey key)
    {
        if (redis.IsConnected)
        {
            redis.GetDatabase().KeyDelete(CounterKey(key), CommandFlags.FireAndForget);
        }
    }
}
