using Tollgate.Metering;

namespace Tollgate.Providers.Azure;

/// <summary><c>/azure</c>: Azure OpenAI, with <c>api-key</c>; every resource has its own host, so there is no default.</summary>
internal static class AzureProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.Azure,
        Name = "azure",
        RoutePrefixes = ["azure"],
        Upstream = new ApiKeyUpstream(CredentialStyle.ApiKeyHeader, "AZURE", DefaultApiBase: null),
        Dialect = UsageDialect.AzureOpenAi,

        // A deployment reports the OpenAI model it runs (gpt-4o-2024-08-06), so OpenAI's prices apply.
        Pricing = new(["azure_text"], FallsBackTo: ProviderId.OpenAi),
    };
}
