using Tollgate.Metering;

namespace Tollgate.Providers.OpenAi;

/// <summary><c>/openai</c>: OpenAI, with <c>Authorization: Bearer</c>.</summary>
internal static class OpenAiProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.OpenAi,
        Name = "openai",
        RoutePrefixes = ["openai"],
        Upstream = new ApiKeyUpstream(CredentialStyle.BearerToken, "OPENAI", "https://api.openai.com"),
        Dialect = UsageDialect.OpenAi,
        Pricing = new(["text-completion-openai"]),
    };
}
