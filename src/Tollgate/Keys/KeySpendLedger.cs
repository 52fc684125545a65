using System.Collections.Concurrent;
using Tollgate.Spend;

namespace Tollgate.Keys;

/// <summary>
/// The cost of each budgeted key's calls that ended on this instance, counted the moment they end, so the next
/// call's budget check sees it without waiting for the call's spend-log row (issue 12, defect 9). A key's stored
/// spend already holds the rows written before it was loaded; <see cref="StoredKey.SettledHere"/> says how much of
/// the cost counted here that was, and <see cref="Unsettled"/> is the rest, so no call counts twice.
/// Money is counted in whole picodollars, as <see cref="SharedBudgetCounter"/> does.
/// </summary>
/// <remarks>
/// Only the spend writer's single loop settles, and it bumps an account's version before and after each write
/// that can change the key's stored spend: a key loaded while the version moved may or may not hold that write,
/// so it is taken as not holding it (counted high, never low) and loaded again on its next use.
/// </remarks>
internal sealed class KeySpendLedger
{
    private const decimal PicodollarsPerDollar = 1_000_000_000_000m;

    private readonly ConcurrentDictionary<KeyHash, Account> _accounts = new();

    /// <returns>True when the cost was counted (it is more than nothing): the call's row must then say so.</returns>
    public bool Charge(KeyHash key, decimal dollars)
    {
        var picodollars = ToPicodollars(dollars);
        if (picodollars <= 0)
        {
            return false;
        }

        Interlocked.Add(ref _accounts.GetOrAdd(key, static _ => new Account()).Charged, picodollars);
        return true;
    }

    /// <summary>Cost counted here that <paramref name="key"/>'s stored spend does not hold.</summary>
    public decimal Unsettled(StoredKey key) =>
        _accounts.TryGetValue(key.Token, out var account) ? (Volatile.Read(ref account.Charged) - key.SettledHere) / PicodollarsPerDollar : 0m;

    /// <summary>Taken before the key is read from the database; see <see cref="Settles"/>.</summary>
    public Mark Before(KeyHash key) =>
        _accounts.TryGetValue(key, out var account) ? new Mark(account, Volatile.Read(ref account.Version), Volatile.Read(ref account.Settled)) : default;

    /// <summary>The key as read from the database after <paramref name="mark"/>; <paramref name="exact"/> is false when a write may have landed meanwhile.</summary>
    public StoredKey Settles(StoredKey key, Mark mark, out bool exact)
    {
        var account = mark.Account ?? _accounts.GetValueOrDefault(key.Token);
        exact = account is null || (mark.Version % 2 == 0 && Volatile.Read(ref account.Version) == mark.Version);
        return mark.Settled == 0 ? key : key with { SettledHere = mark.Settled };
    }

    /// <summary>The spend writer is about to write these rows (or replay them): loads from now on are not exact.</summary>
    public void Writing(IReadOnlyList<SpendLogRow> rows, bool replay)
    {
        foreach (var account in Accounts(rows, replay))
        {
            Interlocked.Increment(ref account.Version);
        }
    }

    /// <summary>
    /// The rows are in the database. Replayed rows lost their mark in the spill file, so they settle what this
    /// instance spilled for their key, up to that amount: rows a previous run left there were never counted here.
    /// </summary>
    public void Written(IReadOnlyList<SpendLogRow> rows, bool replay)
    {
        foreach (var row in rows)
        {
            if (AccountOf(row, replay) is { } account)
            {
                var picodollars = ToPicodollars(row.Spend);
                if (replay)
                {
                    picodollars = Math.Min(picodollars, account.Spilled);
                    account.Spilled -= picodollars;
                }

                Volatile.Write(ref account.Settled, account.Settled + picodollars);
            }
        }

        Done(rows, replay);
    }

    /// <summary>The write failed; <paramref name="spilled"/>: the rows went to the spill file.</summary>
    public void NotWritten(IReadOnlyList<SpendLogRow> rows, bool replay, bool spilled)
    {
        if (spilled && !replay)
        {
            foreach (var row in rows)
            {
                if (AccountOf(row, replay) is { } account)
                {
                    account.Spilled += ToPicodollars(row.Spend);
                }
            }
        }

        Done(rows, replay);
    }

    private void Done(IReadOnlyList<SpendLogRow> rows, bool replay)
    {
        foreach (var account in Accounts(rows, replay))
        {
            Interlocked.Increment(ref account.Version);
        }
    }

    private Account? AccountOf(SpendLogRow row, bool replay) =>
        (replay || row.ChargedHere) && KeyHash.TryParse(row.ApiKey, out var key) ? _accounts.GetValueOrDefault(key) : null;

    private HashSet<Account> Accounts(IReadOnlyList<SpendLogRow> rows, bool replay)
    {
        var accounts = new HashSet<Account>();
        foreach (var row in rows)
        {
            if (AccountOf(row, replay) is { } account)
            {
                accounts.Add(account);
            }
        }

        return accounts;
    }

    private static long ToPicodollars(decimal dollars) => (long)decimal.Round(dollars * PicodollarsPerDollar);

    internal readonly record struct Mark(Account? Account, long Version, long Settled);

    internal sealed class Account
    {
        /// <summary>Every cost counted here.</summary>
        public long Charged;

        /// <summary>The part of <see cref="Charged"/> whose rows are written; only the spend writer changes it.</summary>
        public long Settled;

        /// <summary>The part of <see cref="Charged"/> in the spill file; the spend writer's alone.</summary>
        public long Spilled;

        /// <summary>Odd while the spend writer writes rows of this key.</summary>
        public long Version;
    }
}
