namespace Tollgate.Keys;

/// <summary>A virtual key as the store holds it: its SHA-256, never the key itself, and its limits.</summary>
internal sealed record StoredKey
{
    public required KeyHash Token { get; init; }

    /// <summary>The key shortened for display (<c>sk-…wxyz</c>), so people can tell keys apart.</summary>
    public required string KeyName { get; init; }

    public string? KeyAlias { get; init; }

    /// <summary>Model names the key may use; empty allows all.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Route prefixes (<c>/openai</c>, <c>/anthropic/v1/messages</c>) the key may call; empty allows all.</summary>
    public IReadOnlyList<string> AllowedRoutes { get; init; } = [];

    public decimal? MaxBudget { get; init; }

    /// <summary>The budget window as written (<c>30s</c>, <c>1h</c>, <c>30d</c>); spend resets when it ends.</summary>
    public string? BudgetDuration { get; init; }

    public DateTimeOffset? BudgetResetAt { get; init; }

    /// <summary>USD spent in the current budget window (all time without one).</summary>
    public decimal Spend { get; init; }

    /// <summary>Of the cost this instance counted for the key (<see cref="KeySpendLedger"/>), the picodollars <see cref="Spend"/> held when read.</summary>
    public long SettledHere { get; init; }

    public long? RpmLimit { get; init; }

    public long? TpmLimit { get; init; }

    public long? MaxParallelRequests { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public bool Blocked { get; init; }

    /// <summary>A JSON object, stored as given.</summary>
    public string MetadataJson { get; init; } = "{}";

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyList<string> Guardrails { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt <= now;

    /// <summary>True when <paramref name="path"/> equals an allowed prefix or lies below one.</summary>
    public bool AllowsRoute(ReadOnlySpan<char> path) => AllowedRoutes.Count == 0 || Covers(path, minPrefixLength: 0);

    /// <summary>
    /// True when an allowed_routes entry names this endpoint itself, not just its route (<c>/openai/v1/batches</c>,
    /// not <c>/openai</c>): the grant a key with a models list needs for an endpoint whose model the gateway cannot read.
    /// </summary>
    public bool NamesEndpoint(ReadOnlySpan<char> path, string routePrefix) => Covers(path, minPrefixLength: routePrefix.Length + 2);

    private bool Covers(ReadOnlySpan<char> path, int minPrefixLength)
    {
        foreach (var prefix in AllowedRoutes)
        {
            if (prefix.Length >= minPrefixLength
                && path.StartsWith(prefix, StringComparison.Ordinal)
                && (path.Length == prefix.Length || path[prefix.Length] == '/' || prefix.EndsWith('/')))
            {
                return true;
            }
        }

        return false;
    }
}
