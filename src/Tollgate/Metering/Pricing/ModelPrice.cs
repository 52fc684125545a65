namespace Tollgate.Metering.Pricing;

/// <summary>
/// What one model costs, in US dollars per token (<see cref="decimal"/>, never a binary float). A
/// <see langword="null"/> cache price falls back as <see cref="CostCalculator.Cost"/> describes; a price
/// tier (<see cref="Tiers"/>) replaces some of these prices when the prompt is larger than its threshold.
/// </summary>
internal sealed record ModelPrice
{
    /// <summary>USD per uncached input token. Default 0.</summary>
    public decimal InputCostPerToken { get; init; }

    /// <summary>USD per output token, reasoning tokens included. Default 0.</summary>
    public decimal OutputCostPerToken { get; init; }

    /// <summary>USD per input token read from the prompt cache; null charges the input price.</summary>
    public decimal? CacheReadInputTokenCost { get; init; }

    /// <summary>USD per input token written to the cache with the default (five-minute) lifetime; null charges the input price.</summary>
    public decimal? CacheCreationInputTokenCost { get; init; }

    /// <summary>USD per input token written to the cache with a one-hour lifetime (Anthropic); null charges the five-minute price.</summary>
    public decimal? CacheCreation1hInputTokenCost { get; init; }

    /// <summary>USD added once per call whatever the tokens (a rerank search, a custom endpoint). Default none.</summary>
    public decimal? CostPerRequest { get; init; }

    /// <summary>Prices for larger prompts, ordered by threshold (smallest first); empty when the model has one price.</summary>
    public IReadOnlyList<PriceTier> Tiers { get; init; } = [];

    /// <summary>Same prices, compared by value (records compare lists by reference).</summary>
    public bool Equals(ModelPrice? other) =>
        other is not null
        && InputCostPerToken == other.InputCostPerToken
        && OutputCostPerToken == other.OutputCostPerToken
        && CacheReadInputTokenCost == other.CacheReadInputTokenCost
        && CacheCreationInputTokenCost == other.CacheCreationInputTokenCost
        && CacheCreation1hInputTokenCost == other.CacheCreation1hInputTokenCost
        && CostPerRequest == other.CostPerRequest
        && Tiers.SequenceEqual(other.Tiers);

    public override int GetHashCode() => HashCode.Combine(InputCostPerToken, OutputCostPerToken, Tiers.Count);
}
