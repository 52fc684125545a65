using Tollgate.Metering;

namespace Tollgate.Providers.Mistral;

/// <summary><c>/mistral</c>: Mistral, with <c>Authorization: Bearer</c>.</summary>
internal static class MistralProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.Mistral,
        Name = "mistral",
        RoutePrefixes = ["mistral"],
        Upstream = new ApiKeyUpstream(CredentialStyle.BearerToken, "MISTRAL", "https://api.mistral.ai"),
        Dialect = UsageDialect.OpenAi,
        Pricing = new(["codestral", "text-completion-codestral"]),
    };
}
