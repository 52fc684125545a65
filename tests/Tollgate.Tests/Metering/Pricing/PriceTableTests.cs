using System.Text;
using Tollgate.Metering.Pricing;

namespace Tollgate.Tests.Metering.Pricing;

public sealed class PriceTableTests
{
    private static ModelPrice BuiltIn(string provider, string model)
    {
        Assert.True(PriceTable.BuiltIn.TryGet(provider, model, out var price), $"{provider}/{model} has no built-in price");
        return price;
    }

    private static ModelPrice Flat(decimal input, decimal output = 0m) => new() { InputCostPerToken = input, OutputCostPerToken = output };

    [Fact]
    public void Built_in_data_loads_with_every_provider_and_exact_decimals()
    {
        Assert.True(PriceTable.BuiltIn.BuiltInCount > 200);
        Assert.Equal(0.0000025m, BuiltIn("openai", "gpt-4o").InputCostPerToken); // written 2.5e-06
        Assert.Equal(0.000000005m, BuiltIn("openai", "gpt-5-nano").CacheReadInputTokenCost); // 5e-09
        Assert.Equal(0.0000015m, BuiltIn("anthropic", "claude-opus-4-1").CacheReadInputTokenCost);
        Assert.Equal(0.00003m, BuiltIn("anthropic", "claude-opus-4-1").CacheCreation1hInputTokenCost);
        Assert.Equal(0.0000001m, BuiltIn("gemini", "gemini-2.0-flash").InputCostPerToken);
        Assert.Equal(0.000003m, BuiltIn("vertex_ai", "claude-sonnet-4-6").InputCostPerToken);
        Assert.Equal(0.00000265m, BuiltIn("bedrock", "meta.llama3-70b-instruct-v1:0").InputCostPerToken);
        Assert.Equal(0.0000005m, BuiltIn("mistral", "mistral-large-latest").InputCostPerToken);
        Assert.Equal(0.0000025m, BuiltIn("cohere", "command-a-03-2025").InputCostPerToken);
    }

    [Fact]
    public void Tiers_are_read_from_above_k_tokens_fields()
    {
        var tier = Assert.Single(BuiltIn("gemini", "gemini-2.5-pro").Tiers);
        Assert.Equal(200_000, tier.AboveInputTokens);
        Assert.Equal(0.0000025m, tier.InputCostPerToken);
        Assert.Equal(0.000015m, tier.OutputCostPerToken);
        Assert.Equal(0.00000025m, tier.CacheReadInputTokenCost);

        Assert.Equal(272_000, Assert.Single(BuiltIn("openai", "gpt-5.5").Tiers).AboveInputTokens);
        Assert.Equal(0.000012m, Assert.Single(BuiltIn("anthropic", "claude-sonnet-4-5").Tiers).CacheCreation1hInputTokenCost);
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini", "0.00000015")]
    [InlineData("openai", "gpt-4.1-2025-04-14", "0.000002")]
    [InlineData("openai", "o3-2025-04-16", "0.000002")]
    [InlineData("openai", "o4-mini", "0.0000011")]
    [InlineData("openai", "gpt-5-mini-2025-08-07", "0.00000025")]
    [InlineData("openai", "text-embedding-3-small", "0.00000002")]
    [InlineData("openai", "text-embedding-3-large", "0.00000013")]
    [InlineData("anthropic", "claude-3-7-sonnet-20250219", "0.000003")]
    [InlineData("anthropic", "claude-haiku-4-5-20251001", "0.000001")]
    [InlineData("anthropic", "claude-opus-4-1-20250805", "0.000015")]
    [InlineData("gemini", "gemini-2.0-flash-lite", "0.000000075")]
    [InlineData("gemini", "models/gemini-2.5-flash-lite", "0.0000001")]
    [InlineData("vertex_ai", "gemini-2.5-flash", "0.0000003")]
    [InlineData("vertex_ai", "claude-sonnet-4@20250514", "0.000003")]
    [InlineData("vertex_ai", "claude-3-5-haiku@20241022", "0.000001")]
    [InlineData("bedrock", "amazon.nova-pro-v1:0", "0.0000008")]
    [InlineData("bedrock", "us.amazon.nova-lite-v1:0", "0.00000006")]
    [InlineData("bedrock", "eu.amazon.nova-lite-v1:0", "0.000000078")]
    [InlineData("bedrock", "mistral.mistral-large-2407-v1:0", "0.000003")]
    [InlineData("mistral", "codestral-2508", "0.0000003")]
    [InlineData("cohere", "command-r-plus", "0.0000025")]
    public void Representative_models_have_their_listed_input_price(string provider, string model, string input)
    {
        Assert.Equal(decimal.Parse(input, System.Globalization.CultureInfo.InvariantCulture), BuiltIn(provider, model).InputCostPerToken);
    }

    [Fact]
    public void An_exact_entry_beats_the_normalised_name()
    {
        Assert.Equal(0.000005m, BuiltIn("openai", "gpt-4o-2024-05-13").InputCostPerToken); // not gpt-4o's 2.5e-6
        Assert.Equal(0.00000015m, BuiltIn("vertex_ai", "gemini-2.0-flash-001").InputCostPerToken); // not gemini-2.0-flash's 1e-7
        Assert.Equal(0.0000033m, BuiltIn("bedrock", "eu.anthropic.claude-sonnet-4-6").InputCostPerToken); // regional premium
    }

    [Fact]
    public void Azure_uses_openai_prices_and_vertex_falls_back_to_gemini_prices()
    {
        Assert.Equal(BuiltIn("openai", "gpt-4o"), BuiltIn("azure", "gpt-4o-2024-08-06"));
        Assert.Equal(BuiltIn("gemini", "gemini-flash-latest"), BuiltIn("vertex_ai", "gemini-flash-latest"));
        Assert.Equal(BuiltIn("vertex_ai", "claude-opus-4-5"), BuiltIn("vertex-ai", "publishers/anthropic/models/claude-opus-4-5@20251101"));
    }

    [Fact]
    public void Provider_and_model_names_are_compared_without_case()
    {
        Assert.Equal(BuiltIn("openai", "gpt-4o"), BuiltIn("OpenAI", "GPT-4o"));
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("openai", "GPT-4o-Mini", "gpt-4o-mini")]
    [InlineData("openai", "openai/gpt-4o-mini-2031-01-01", "gpt-4o-mini")]
    [InlineData("bedrock", "us.anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0")]
    [InlineData("openai", "made-up-model", null)]
    public void The_listed_name_is_the_tables_own_name_in_lower_case(string provider, string model, string? listed)
    {
        // Asked twice: the second answer comes from what the table remembers and must be the same.
        Assert.Equal(listed, PriceTable.BuiltIn.ListedName(provider, model));
        Assert.Equal(listed, PriceTable.BuiltIn.ListedName(provider, model));
    }

    [Fact]
    public void Answers_stay_right_after_the_remembered_lookups_fill_up()
    {
        var table = PriceTable.BuiltIn.WithOverrides(new Dictionary<string, ModelPriceOverride>());
        for (var i = 0; i < 5000; i++)
        {
            Assert.False(table.TryGet("openai", $"made-up-{i}", out _));
        }

        Assert.True(table.TryGet("openai", "gpt-4o-2024-08-06", out var price));
        Assert.Equal(0.0000025m, price.InputCostPerToken);
        Assert.Equal("gpt-4o-mini", table.ListedName("openai", "GPT-4O-MINI"));
    }

    [Theory]
    [InlineData("vllm", "meta-llama/Llama-3.1-8B-Instruct")]
    [InlineData("openai", "my-fine-tune")]
    [InlineData("anthropic", "gpt-4o")] // a model is priced by the provider that serves it
    [InlineData("custom", "gpt-4o")]
    public void Unknown_models_and_providers_have_no_price(string provider, string model)
    {
        Assert.False(PriceTable.BuiltIn.TryGet(provider, model, out var price));
        Assert.Null(price);
    }

    [Fact]
    public void Overrides_replace_built_in_entries_and_also_price_their_snapshots()
    {
        var table = PriceTable.BuiltIn.WithOverrides(new Dictionary<string, ModelPriceOverride>
        {
            ["gpt-4o"] = new(null, Flat(0.000001m, 0.000002m)),
        });

        Assert.True(table.TryGet("openai", "gpt-4o", out var price));
        Assert.Equal(Flat(0.000001m, 0.000002m), price);
        Assert.True(table.TryGet("azure", "gpt-4o-2024-08-06", out price));
        Assert.Equal(Flat(0.000001m, 0.000002m), price);

        Assert.Equal(0.0000025m, BuiltIn("openai", "gpt-4o").InputCostPerToken); // the built-in table is untouched
    }

    [Fact]
    public void Overrides_add_models_the_built_in_table_lacks()
    {
        var table = PriceTable.BuiltIn.WithOverrides(new Dictionary<string, ModelPriceOverride>
        {
            ["meta-llama/Llama-3.1-8B-Instruct"] = new("vllm", Flat(0.0000001m)),
            ["house-model"] = new(null, new ModelPrice { CostPerRequest = 0.01m }),
        });

        Assert.True(table.TryGet("vllm", "meta-llama/Llama-3.1-8B-Instruct", out var price));
        Assert.Equal(0.0000001m, price.InputCostPerToken);
        Assert.True(table.TryGet("custom", "house-model", out price));
        Assert.Equal(0.01m, price.CostPerRequest);
        Assert.False(table.TryGet("openai", "meta-llama/Llama-3.1-8B-Instruct", out _)); // restricted to vllm
    }

    [Fact]
    public void A_provider_restricted_override_beats_one_for_every_provider_and_applies_to_that_provider_only()
    {
        var table = PriceTable.BuiltIn.WithOverrides(new Dictionary<string, ModelPriceOverride>
        {
            ["claude-sonnet-4-5"] = new(null, Flat(1m)),
            ["Claude-Sonnet-4-5@20250929"] = new("vertex_ai", Flat(2m)),
        });

        Assert.True(table.TryGet("anthropic", "claude-sonnet-4-5-20250929", out var price));
        Assert.Equal(1m, price.InputCostPerToken);
        Assert.True(table.TryGet("vertex_ai", "claude-sonnet-4-5@20250929", out price));
        Assert.Equal(2m, price.InputCostPerToken); // exact name, provider-specific
        Assert.True(table.TryGet("vertex_ai", "claude-sonnet-4-5", out price));
        Assert.Equal(1m, price.InputCostPerToken); // the vertex override names only the @version
    }

    [Fact]
    public void A_litellm_style_provider_prefix_in_the_key_restricts_the_override_to_that_provider()
    {
        var table = PriceTable.BuiltIn.WithOverrides(new Dictionary<string, ModelPriceOverride>
        {
            ["gemini/gemini-2.5-pro"] = new(null, Flat(7m)),
        });

        Assert.True(table.TryGet("gemini", "models/gemini-2.5-pro", out var price));
        Assert.Equal(7m, price.InputCostPerToken);
        Assert.True(table.TryGet("vertex_ai", "gemini-2.5-pro", out price));
        Assert.Equal(0.00000125m, price.InputCostPerToken); // Vertex keeps its own built-in price
    }

    [Fact]
    public void A_provider_restricted_override_does_not_follow_the_built_in_fallbacks()
    {
        var table = PriceTable.BuiltIn.WithOverrides(new Dictionary<string, ModelPriceOverride>
        {
            ["gpt-4o"] = new("openai", Flat(9m)),
        });

        Assert.True(table.TryGet("azure", "gpt-4o", out var price));
        Assert.Equal(0.0000025m, price.InputCostPerToken); // Azure: the built-in OpenAI price, not the openai-only override
    }

    [Fact]
    public void Malformed_built_in_data_is_rejected_with_the_entry_named()
    {
        static Exception Parse(string json) =>
            Assert.Throws<InvalidDataException>(() => BuiltInPrices.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        Assert.Contains("openai/m.input_cost_per_tokn", Parse("""{ "openai": { "m": { "input_cost_per_tokn": 1e-6 } } }""").Message);
        Assert.Contains("openai/m.output_cost_per_token", Parse("""{ "openai": { "m": { "output_cost_per_token": -1 } } }""").Message);
        Assert.Contains("openai/m", Parse("""{ "openai": { "m": { } } }""").Message);
    }
}
