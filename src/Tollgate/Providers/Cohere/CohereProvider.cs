using Tollgate.Metering;

namespace Tollgate.Providers.Cohere;

/// <summary><c>/cohere</c>: Cohere, with <c>Authorization: Bearer</c>.</summary>
internal static class CohereProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.Cohere,
        Name = "cohere",
        RoutePrefixes = ["cohere"],
        Upstream = new ApiKeyUpstream(CredentialStyle.BearerToken, "COHERE", "https://api.cohere.com"),
        Dialect = UsageDialect.Cohere,
        Pricing = new([], LitellmVariants: true),

        // Cohere's chat, embed and rerank answers do not say which model served them.
        AnswersNameNoModel = true,
    };
}
