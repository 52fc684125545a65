using Tollgate.Metering;

namespace Tollgate.Providers.Gemini;

/// <summary><c>/gemini</c>: the Gemini API, with the key in the query.</summary>
internal static class GeminiProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.Gemini,
        Name = "gemini",
        RoutePrefixes = ["gemini"],
        Upstream = new ApiKeyUpstream(CredentialStyle.QueryKey, "GEMINI", "https://generativelanguage.googleapis.com"),
        Dialect = UsageDialect.Google,
        Pricing = PricingNames.OwnName,
    };
}
