namespace Tollgate.Metering.Pricing;

/// <summary>
/// Prices that apply instead of the base ones when a call's input tokens (cached ones included) exceed
/// <see cref="AboveInputTokens"/>: Gemini 2.5 Pro and Claude Sonnet 4/4.5 above 200k, GPT-5.4/5.5 above
/// 272k. A <see langword="null"/> price keeps the model's base price for that kind of token.
/// </summary>
internal sealed record PriceTier
{
    /// <summary>The tier applies when the input tokens are strictly more than this many.</summary>
    public required long AboveInputTokens { get; init; }

    public decimal? InputCostPerToken { get; init; }

    public decimal? OutputCostPerToken { get; init; }

    public decimal? CacheReadInputTokenCost { get; init; }

    public decimal? CacheCreationInputTokenCost { get; init; }

    public decimal? CacheCreation1hInputTokenCost { get; init; }
}
