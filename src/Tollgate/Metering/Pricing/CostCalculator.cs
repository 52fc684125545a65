namespace Tollgate.Metering.Pricing;

/// <summary>Turns token counts into US dollars.</summary>
internal static class CostCalculator
{
    /// <summary>
    /// The cost of one call, in US dollars, exact: every product is a <see cref="decimal"/> and nothing is
    /// rounded here (a display or a spend-log column rounds, if it must, where it is written).
    /// </summary>
    /// <remarks>
    /// <para>(1) Tier: the tier with the largest threshold that <see cref="TokenUsage.InputTokens"/>
    /// (cached tokens included) exceeds; its prices replace the base ones it names.</para>
    /// <para>(2) Input: <see cref="TokenUsage.InputTokens"/> counts every input token, so uncached input is
    /// <c>InputTokens - CacheReadInputTokens - CacheCreationInputTokens</c>, charged at the input price.</para>
    /// <para>(3) Cache read tokens at the cache-read price, or the input price when the model has none.</para>
    /// <para>(4) Cache writes: <c>CacheCreationInputTokens - CacheCreation1hInputTokens</c> at the five-minute
    /// write price (else the input price); the one-hour part at the one-hour price (else the five-minute one).</para>
    /// <para>(5) Output tokens (reasoning included) at the output price, plus <see cref="ModelPrice.CostPerRequest"/>
    /// (LiteLLM's <c>input_cost_per_query</c>) once, or once per search unit a rerank was billed.</para>
    /// Counts that contradict each other (more cached than total input) are clamped so no part is negative.
    /// </remarks>
    public static decimal Cost(ModelPrice price, TokenUsage usage)
    {
        ArgumentNullException.ThrowIfNull(price);
        ArgumentNullException.ThrowIfNull(usage);

        var tier = ChooseTier(price.Tiers, usage.InputTokens);
        var input = tier?.InputCostPerToken ?? price.InputCostPerToken;
        var output = tier?.OutputCostPerToken ?? price.OutputCostPerToken;
        var cacheRead = tier?.CacheReadInputTokenCost ?? price.CacheReadInputTokenCost ?? input;
        var cacheWrite = tier?.CacheCreationInputTokenCost ?? price.CacheCreationInputTokenCost ?? input;
        var cacheWrite1h = tier?.CacheCreation1hInputTokenCost ?? price.CacheCreation1hInputTokenCost ?? cacheWrite;

        var cacheReadTokens = NonNegative(usage.CacheReadInputTokens);
        var cacheWriteTokens = NonNegative(usage.CacheCreationInputTokens);
        var cacheWrite1hTokens = Math.Min(NonNegative(usage.CacheCreation1hInputTokens), cacheWriteTokens);
        var uncachedTokens = NonNegative(usage.InputTokens - cacheReadTokens - cacheWriteTokens);

        return (uncachedTokens * input)
            + (cacheReadTokens * cacheRead)
            + ((cacheWriteTokens - cacheWrite1hTokens) * cacheWrite)
            + (cacheWrite1hTokens * cacheWrite1h)
            + (NonNegative(usage.OutputTokens) * output)
            + ((price.CostPerRequest ?? 0m) * Math.Max(1, usage.SearchUnits));
    }

    private static PriceTier? ChooseTier(IReadOnlyList<PriceTier> tiers, long inputTokens)
    {
        PriceTier? chosen = null;
        foreach (var tier in tiers)
        {
            if (inputTokens > tier.AboveInputTokens && (chosen is null || tier.AboveInputTokens > chosen.AboveInputTokens))
            {
                chosen = tier;
            }
        }

        return chosen;
    }

    private static long NonNegative(long count) => Math.Max(count, 0);
}
