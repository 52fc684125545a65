using System.Collections.Concurrent;
using System.Data.Common;

namespace Tollgate.Keys;

/// <summary>
/// Keys by hash in memory for a short time, so the request path does one database lookup per key per
/// <see cref="Ttl"/> at most. Updates and deletes on this instance take effect at once; other instances
/// see them within the TTL. Unknown keys are remembered briefly too, so a flood of bad keys stays cheap.
/// When the database cannot be reached, a key seen before keeps working from its last known state, so a
/// database outage does not stop traffic; a key never seen is refused with <see cref="KeyStoreUnavailableException"/>.
/// Each key read carries how much of this instance's counted cost its spend holds (<see cref="KeySpendLedger"/>).
/// </summary>
internal sealed class KeyCache(KeyRepository repository, KeySpendLedger ledger, TimeProvider time)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan UnknownTtl = TimeSpan.FromSeconds(1);

    /// <summary>Bounded because clients choose which keys are looked up.</summary>
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<KeyHash, Entry> _entries = new();

    public ValueTask<StoredKey?> GetAsync(KeyHash token, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(token, out var entry) && time.GetTimestamp() < entry.ExpiresAt)
        {
            return new(entry.Key);
        }

        return LoadAsync(token, cancellationToken);
    }

    /// <summary>The key as the database has it now (the last known state if it cannot be reached); null once deleted.</summary>
    public ValueTask<StoredKey?> ReloadAsync(KeyHash token, CancellationToken cancellationToken) => LoadAsync(token, cancellationToken);

    /// <summary>The next lookup goes to the database; the old entry stays as the fallback for an outage.</summary>
    public void Expire(KeyHash token)
    {
        if (_entries.TryGetValue(token, out var entry))
        {
            _entries.TryUpdate(token, entry with { ExpiresAt = long.MinValue }, entry);
        }
    }

    /// <summary>An update made here: this instance uses the new state at once, outage or not.</summary>
    public void Put(StoredKey key)
    {
        var settled = ledger.Settles(key, ledger.Before(key.Token), out var exact);
        _entries[key.Token] = new Entry(settled, exact ? time.GetTimestamp() + (long)(Ttl.TotalSeconds * time.TimestampFrequency) : long.MinValue);
    }

    /// <summary>A key deleted here is unknown from now on, also if the database then goes away.</summary>
    public void Remove(KeyHash token) => _entries.TryRemove(token, out _);

    private async ValueTask<StoredKey?> LoadAsync(KeyHash token, CancellationToken cancellationToken)
    {
        StoredKey? key;
        var mark = ledger.Before(token);
        try
        {
            key = await repository.FindAsync(token, cancellationToken);
        }
        catch (Exception e) when (e is DbException or IOException or TimeoutException || (e is InvalidOperationException && !cancellationToken.IsCancellationRequested))
        {
            if (_entries.TryGetValue(token, out var stale))
            {
                return stale.Key;
            }

            throw new KeyStoreUnavailableException(e);
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        var exact = true;
        if (key is not null)
        {
            key = ledger.Settles(key, mark, out exact);
        }

        // A key read while its rows were being written may or may not hold them: counted high for now, read again next time.
        var ttl = key is null ? UnknownTtl : Ttl;
        _entries[token] = new Entry(key, exact ? time.GetTimestamp() + (long)(ttl.TotalSeconds * time.TimestampFrequency) : long.MinValue);
        return key;
    }

    private sealed record Entry(StoredKey? Key, long ExpiresAt);
}

/// <summary>The key could not be checked because the database is unreachable and the key is not cached.</summary>
internal sealed class KeyStoreUnavailableException(Exception inner) : Exception("The key store (database) is unreachable.", inner);
