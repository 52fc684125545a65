using Tollgate.Metering;
using Tollgate.Metering.Pricing;

namespace Tollgate.Tests.Metering.Pricing;

/// <summary>Every expected cost here is worked out by hand from the prices in the test or in model_prices.jsonc.</summary>
public sealed class CostCalculatorTests
{
    private static ModelPrice Price(string provider, string model)
    {
        Assert.True(PriceTable.BuiltIn.TryGet(provider, model, out var price), $"{provider}/{model} has no built-in price");
        return price;
    }

    private static TokenUsage Usage(long input, long output, long cacheRead = 0, long cacheCreation = 0, long cacheCreation1h = 0) => new()
    {
        InputTokens = input,
        OutputTokens = output,
        CacheReadInputTokens = cacheRead,
        CacheCreationInputTokens = cacheCreation,
        CacheCreation1hInputTokens = cacheCreation1h,
        Reported = true,
    };

    [Fact]
    public void Anthropic_call_with_cache_read_and_five_minute_and_one_hour_writes()
    {
        // claude-sonnet-4-5: input 3e-6, cache read 3e-7, 5m write 3.75e-6, 1h write 6e-6, output 1.5e-5.
        // 10,000 uncached + 20,000 read + 3,000 (5m) + 1,000 (1h) = 34,000 input tokens; 2,000 output.
        var usage = Usage(input: 34_000, output: 2_000, cacheRead: 20_000, cacheCreation: 4_000, cacheCreation1h: 1_000);

        var cost = CostCalculator.Cost(Price("anthropic", "claude-sonnet-4-5-20250929"), usage);

        // 0.03 + 0.006 + 0.01125 + 0.006 + 0.03
        Assert.Equal(0.08325m, cost);
    }

    [Fact]
    public void Anthropic_long_context_call_is_priced_wholly_at_the_tier_above_200k()
    {
        // claude-sonnet-4-5 above 200k: input 6e-6, read 6e-7, 5m write 7.5e-6, 1h write 1.2e-5, output 2.25e-5.
        var usage = Usage(input: 250_000, output: 1_000, cacheRead: 60_000, cacheCreation: 40_000, cacheCreation1h: 10_000);

        var cost = CostCalculator.Cost(Price("anthropic", "claude-sonnet-4-5"), usage);

        // 150,000 × 6e-6 + 60,000 × 6e-7 + 30,000 × 7.5e-6 + 10,000 × 1.2e-5 + 1,000 × 2.25e-5
        Assert.Equal(0.9m + 0.036m + 0.225m + 0.12m + 0.0225m, cost);
        Assert.Equal(1.3035m, cost);
    }

    [Theory]
    // Below the threshold: 60,000 × 1.25e-6 + 40,000 cached × 1.25e-7 + 5,000 × 1e-5.
    [InlineData(100_000, 40_000, 5_000, "0.13")]
    // Exactly 200k is not above it: 200,000 × 1.25e-6 + 1,000 × 1e-5.
    [InlineData(200_000, 0, 1_000, "0.26")]
    // Above: 200,000 × 2.5e-6 + 50,000 cached × 2.5e-7 + 10,000 × 1.5e-5.
    [InlineData(250_000, 50_000, 10_000, "0.6625")]
    public void Gemini_2_5_pro_below_at_and_above_200k(long input, long cached, long output, string expected)
    {
        var cost = CostCalculator.Cost(Price("gemini", "models/gemini-2.5-pro"), Usage(input, output, cacheRead: cached));

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), cost);
    }

    [Fact]
    public void OpenAi_cached_tokens_are_part_of_the_prompt_and_charged_at_the_cache_price()
    {
        // gpt-4o (the snapshot falls back to it): input 2.5e-6, cached 1.25e-6, output 1e-5.
        var cost = CostCalculator.Cost(Price("openai", "gpt-4o-2024-08-06"), Usage(input: 10_000, output: 500, cacheRead: 8_000));

        // 2,000 × 2.5e-6 + 8,000 × 1.25e-6 + 500 × 1e-5
        Assert.Equal(0.02m, cost);
    }

    [Fact]
    public void Bedrock_regional_profile_without_its_own_price_costs_the_base_model()
    {
        // anthropic.claude-3-5-haiku-20241022-v1:0: input 8e-7, output 4e-6.
        var cost = CostCalculator.Cost(Price("bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0"), Usage(input: 1_000, output: 200));

        Assert.Equal(0.0016m, cost);
    }

    [Fact]
    public void Bedrock_regional_profile_with_a_regional_premium_costs_its_own_price()
    {
        var usage = Usage(input: 1_000, output: 100);

        var regional = CostCalculator.Cost(Price("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"), usage);
        var global = CostCalculator.Cost(Price("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"), usage);

        Assert.Equal(0.0033m + 0.00165m, regional); // 3.3e-6 and 1.65e-5 (10% over base)
        Assert.Equal(0.003m + 0.0015m, global); // global profiles cost the base price
    }

    [Fact]
    public void Missing_cache_prices_fall_back_to_input_and_the_one_hour_price_to_the_five_minute_one()
    {
        var price = new ModelPrice { InputCostPerToken = 0.000001m, OutputCostPerToken = 0.000002m, CacheCreationInputTokenCost = 0.00000125m };

        var cost = CostCalculator.Cost(price, Usage(input: 1_000, output: 10, cacheRead: 100, cacheCreation: 300, cacheCreation1h: 100));

        // 600 uncached × 1e-6 + 100 read × 1e-6 (input) + 200 × 1.25e-6 + 100 (1h) × 1.25e-6 (5m price) + 10 × 2e-6
        Assert.Equal(0.0006m + 0.0001m + 0.00025m + 0.000125m + 0.00002m, cost);
    }

    [Fact]
    public void Per_request_cost_is_added_once_whatever_the_tokens()
    {
        Assert.Equal(0.002m, CostCalculator.Cost(Price("cohere", "rerank-v3.5"), Usage(0, 0)));
        Assert.Equal(0.05m + (1_000 * 0.000001m), CostCalculator.Cost(
            new ModelPrice { InputCostPerToken = 0.000001m, CostPerRequest = 0.05m }, Usage(1_000, 0)));
    }

    [Fact]
    public void A_rerank_pays_the_per_query_price_for_each_search_unit()
    {
        var usage = new TokenUsage { SearchUnits = 3, Reported = true };

        Assert.Equal(3 * 0.002m, CostCalculator.Cost(Price("cohere", "rerank-v3.5"), usage));
    }

    [Fact]
    public void Costs_are_exact_and_never_rounded()
    {
        // gpt-5-nano: cached input 5e-9 per token; one cached token costs exactly that.
        Assert.Equal(0.000000005m, CostCalculator.Cost(Price("openai", "gpt-5-nano"), Usage(input: 1, output: 0, cacheRead: 1)));

        // 0.1 + 0.2 as decimal is exactly 0.3 (as a double it would not be).
        var price = new ModelPrice { InputCostPerToken = 0.1m, OutputCostPerToken = 0.2m };
        Assert.Equal(0.3m, CostCalculator.Cost(price, Usage(input: 1, output: 1)));
    }

    [Fact]
    public void The_highest_tier_the_prompt_exceeds_applies()
    {
        var price = new ModelPrice
        {
            InputCostPerToken = 1m,
            OutputCostPerToken = 10m,
            Tiers =
            [
                new PriceTier { AboveInputTokens = 200, InputCostPerToken = 3m },
                new PriceTier { AboveInputTokens = 100, InputCostPerToken = 2m, OutputCostPerToken = 20m },
            ],
        };

        Assert.Equal(100m + 10m, CostCalculator.Cost(price, Usage(100, 1)));
        Assert.Equal(300m + 20m, CostCalculator.Cost(price, Usage(150, 1)));
        Assert.Equal(750m + 10m, CostCalculator.Cost(price, Usage(250, 1))); // the 200 tier names no output price: base
    }

    [Fact]
    public void Contradictory_counts_are_clamped_so_no_part_is_negative()
    {
        var price = new ModelPrice { InputCostPerToken = 1m, CacheReadInputTokenCost = 0.1m, CacheCreationInputTokenCost = 2m, CacheCreation1hInputTokenCost = 3m };

        // More read than input: uncached clamps to 0. One-hour part larger than all writes: clamps to the writes.
        Assert.Equal(1m, CostCalculator.Cost(price, Usage(input: 5, output: 0, cacheRead: 10)));
        Assert.Equal(12m, CostCalculator.Cost(price, Usage(input: 4, output: 0, cacheCreation: 4, cacheCreation1h: 9)));
    }
}
