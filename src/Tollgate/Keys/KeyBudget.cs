using System.Globalization;

namespace Tollgate.Keys;

/// <summary>
/// <c>max_budget</c> against the spend of the current <c>budget_duration</c> window. When a window has
/// ended the stored spend is reset (once, whichever instance gets there first) before judging. The spend is the
/// stored one plus the calls that ended here and whose rows are not written yet (<see cref="KeySpendLedger"/>);
/// with Redis, the larger of that and the <see cref="SharedBudgetCounter"/>'s.
/// </summary>
/// <remarks>
/// While Redis is away, instances share a budget through the database: a call of a budgeted key writes its row
/// (and so the key's spend) before its answer ends (<see cref="Spend.SpendRecorder"/>), and each check reads the
/// key's spend again. The budget then overshoots by at most the calls in flight, as with Redis, at the price of a
/// read and a write per call until Redis is back.
/// </remarks>
internal sealed class KeyBudget(KeyRepository repository, KeyCache cache, KeySpendLedger ledger, TimeProvider time, SharedBudgetCounter? shared = null)
{
    /// <returns>Null when the key may spend, else the refusal message.</returns>
    public ValueTask<string?> CheckAsync(StoredKey key, CancellationToken cancellationToken)
    {
        if (key.MaxBudget is not { } budget)
        {
            return new((string?)null);
        }

        var now = time.GetUtcNow();
        if (key.BudgetResetAt is { } resetAt && now >= resetAt && Duration.TryParse(key.BudgetDuration, out var window))
        {
            return StartNextWindowAsync(key, resetAt, window, now, cancellationToken);
        }

        var spent = key.Spend + ledger.Unsettled(key);
        if (shared is not null)
        {
            return CheckSharedAsync(key, spent, budget, cancellationToken);
        }

        return new(spent >= budget ? Exceeded(spent, budget) : null);
    }

    private async ValueTask<string?> CheckSharedAsync(StoredKey key, decimal spentHere, decimal budget, CancellationToken cancellationToken)
    {
        decimal spent;
        if (await shared!.SpentAsync(key) is { } counted)
        {
            spent = Math.Max(spentHere, counted);
        }
        else
        {
            var now = await cache.ReloadAsync(key.Token, cancellationToken) ?? key;
            spent = now.Spend + ledger.Unsettled(now);
        }

        return spent >= budget ? Exceeded(spent, budget) : null;
    }

    private async ValueTask<string?> StartNextWindowAsync(StoredKey key, DateTimeOffset ended, TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Windows follow one another from the first, so a key idle for days does not drift.
        var elapsed = (now - ended).Ticks / window.Ticks + 1;
        await repository.ResetBudgetAsync(key.Token, ended, ended + window * elapsed, now, cancellationToken);
        cache.Expire(key.Token);
        return null;
    }

    private static string Exceeded(decimal spend, decimal budget) =>
        string.Create(CultureInfo.InvariantCulture, $"Budget exceeded: this key has spent ${spend} of its ${budget} budget.");
}
