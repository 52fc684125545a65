using Tollgate.Metering.Pricing;
using Tollgate.Providers;

namespace Tollgate.Tests.Metering.Pricing;

public sealed class PricingProvidersTests
{
    [Theory]
    [InlineData("openai", "openai")]
    [InlineData("text-completion-openai", "openai")]
    [InlineData("azure_text", "azure")]
    [InlineData("codestral", "mistral")]
    [InlineData("text-completion-codestral", "mistral")]
    [InlineData("hosted_vllm", "vllm")]
    [InlineData("assemblyai", "assemblyai")]
    [InlineData("vertex_ai-anthropic_models", "vertex_ai")]
    [InlineData("vertex-ai", "vertex_ai")]
    [InlineData("bedrock_converse", "bedrock")]
    [InlineData("cohere_chat", "cohere")]
    [InlineData(" Gemini ", "gemini")]
    public void LiteLLM_provider_names_map_to_the_provider_they_mean(string litellmProvider, string provider)
    {
        Assert.True(PricingProviders.TryFromLitellm(litellmProvider, out var mapped));
        Assert.Equal(provider, mapped);
    }

    [Theory]
    [InlineData("openrouter")]
    [InlineData("openai_like")]
    [InlineData("custom")]
    public void Providers_without_a_route_map_to_none(string litellmProvider) =>
        Assert.False(PricingProviders.TryFromLitellm(litellmProvider, out _));

    [Theory]
    [InlineData("azure", "azure,openai")]
    [InlineData("vertex_ai", "vertex_ai,gemini")]
    [InlineData("vertex-ai", "vertex_ai,gemini")]
    [InlineData("bedrock", "bedrock")]
    [InlineData("custom", "custom")]
    public void Prices_are_looked_up_in_the_providers_table_then_its_fallback(string provider, string order) =>
        Assert.Equal(order.Split(','), PricingProviders.LookupOrder(provider));

    [Fact]
    public void Every_provider_is_priced_under_its_own_name_first()
    {
        foreach (var provider in ProviderRegistry.All)
        {
            Assert.Equal(provider.Name, PricingProviders.LookupOrder(provider.Name)[0]);
            Assert.True(PricingProviders.TryFromLitellm(provider.Name, out var mapped));
            Assert.Equal(provider.Name, mapped);
            Assert.NotEqual(provider.Id, provider.Pricing.FallsBackTo);
        }
    }
}
