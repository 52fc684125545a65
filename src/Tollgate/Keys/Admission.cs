namespace Tollgate.Keys;

/// <summary>Who a call is, as <see cref="KeyGate"/> let it in; fixed from then on.</summary>
/// <param name="KeyHash">The caller's key, hashed; null on an open gateway or without a key.</param>
/// <param name="KeyAlias">That key's alias, for the spend row.</param>
/// <param name="Key">The key whose limits, budget and guardrails govern the call: null for the master key, on an open gateway and on endpoints without auth.</param>
/// <param name="RemovedCarriers">The key carriers dropped before forwarding: all of them where the route takes a key.</param>
/// <param name="ParallelSlot">The key's <c>max_parallel_requests</c> slot, held until the call ends.</param>
internal readonly record struct Admission(KeyHash? KeyHash, string? KeyAlias, StoredKey? Key, KeyCarriers RemovedCarriers, IDisposable? ParallelSlot)
{
    /// <summary>The key has a <c>tpm_limit</c>, so the call's tokens must be counted against it.</summary>
    public bool CountsTokens => Key?.TpmLimit is not null;

    /// <summary>The key has a budget: its shared counter (Redis) and when the window ends.</summary>
    public (string CounterKey, DateTimeOffset? WindowEnds)? Budget =>
        Key is { MaxBudget: not null } key ? (SharedBudgetCounter.CounterKey(key), key.BudgetResetAt) : null;
}
