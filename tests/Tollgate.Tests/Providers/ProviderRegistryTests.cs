using Tollgate.Metering;
using Tollgate.Providers;

namespace Tollgate.Tests.Providers;

public sealed class ProviderRegistryTests
{
    [Fact]
    public void Every_provider_id_has_a_definition_of_its_own()
    {
        foreach (var id in Enum.GetValues<ProviderId>())
        {
            var provider = Assert.Single(ProviderRegistry.All, p => p.Id == id);

            Assert.NotEmpty(provider.RoutePrefixes);
            Assert.True(ProviderRegistry.TryGet(provider.Name, out var byName));
            Assert.Same(provider, byName);
        }
    }

    [Fact]
    public void Every_provider_names_its_usage_dialect_and_none_is_metered_as_a_custom_endpoint()
    {
        foreach (var provider in ProviderRegistry.All)
        {
            Assert.True(Enum.IsDefined(provider.Dialect), provider.Name);
            Assert.NotEqual(UsageDialect.CustomEndpoint, provider.Dialect);
        }
    }

    [Fact]
    public void Providers_keep_the_names_spend_rows_and_metrics_use_in_the_contracts_order() =>
        Assert.Equal(
            ["openai", "anthropic", "gemini", "vertex_ai", "bedrock", "azure", "cohere", "mistral", "assemblyai", "vllm"],
            ProviderRegistry.All.Select(p => p.Name));

    [Fact]
    public void A_custom_endpoint_is_no_provider() => Assert.False(ProviderRegistry.TryGet("custom", out _));

    [Fact]
    public void Reserved_segments_are_every_route_prefix_and_the_gateways_own()
    {
        Assert.Equal(
            ["anthropic", "assemblyai", "azure", "bedrock", "cohere", "gemini", "health", "key", "metrics", "mistral", "openai", "spend", "vertex-ai", "vertex_ai", "vllm"],
            ProviderRegistry.ReservedSegments.Order(StringComparer.Ordinal));
        Assert.Contains("OpenAI", (IReadOnlySet<string>)ProviderRegistry.ReservedSegments);
    }

    [Fact]
    public void Provider_entries_take_the_settings_of_every_provider_as_before()
    {
        Assert.Equal(
            ["agent_api_base", "api_base", "api_key", "aws_access_key_id", "aws_region_name", "aws_secret_access_key", "aws_session_token", "credentials", "guardrails", "timeout"],
            ProviderRegistry.ConfigFields.Order(StringComparer.Ordinal));
        Assert.Equal(["timeout", "guardrails", "api_base", "credentials"], ProviderRegistry.Get(ProviderId.VertexAi).ConfigFields);
    }

    [Fact]
    public void A_definition_registered_under_another_id_stops_start_up()
    {
        var providers = ProviderRegistry.All.ToArray();
        providers[(int)ProviderId.Mistral] = providers[(int)ProviderId.OpenAi];

        var error = Assert.Throws<InvalidOperationException>(() => ProviderRegistry.Checked(providers));

        Assert.Contains("Mistral", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai", "openai")]
    [InlineData("groq", "vertex-ai")]
    [InlineData("groq", "OpenAI")]
    public void Two_providers_with_one_name_or_route_prefix_stop_start_up(string name, string prefix)
    {
        var providers = ProviderRegistry.All.ToArray();
        providers[(int)ProviderId.Mistral] = providers[(int)ProviderId.Mistral] with { Name = name, RoutePrefixes = [prefix] };

        var error = Assert.Throws<InvalidOperationException>(() => ProviderRegistry.Checked(providers));

        Assert.StartsWith("Two providers are both called or routed as", error.Message, StringComparison.Ordinal);
    }
}
