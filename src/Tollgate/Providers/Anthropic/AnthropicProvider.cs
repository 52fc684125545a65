using Tollgate.Metering;

namespace Tollgate.Providers.Anthropic;

/// <summary><c>/anthropic</c>: Anthropic, with <c>x-api-key</c>.</summary>
internal static class AnthropicProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.Anthropic,
        Name = "anthropic",
        RoutePrefixes = ["anthropic"],
        Upstream = new ApiKeyUpstream(CredentialStyle.XApiKeyHeader, "ANTHROPIC", "https://api.anthropic.com"),
        Dialect = UsageDialect.Anthropic,
        Pricing = PricingNames.OwnName,
    };
}
