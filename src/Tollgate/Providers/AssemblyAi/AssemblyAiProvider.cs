using Tollgate.Metering;

namespace Tollgate.Providers.AssemblyAi;

/// <summary><c>/assemblyai</c>: AssemblyAI, with the key as the whole <c>Authorization</c>.</summary>
internal static class AssemblyAiProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.AssemblyAi,
        Name = "assemblyai",
        RoutePrefixes = ["assemblyai"],
        Upstream = new ApiKeyUpstream(CredentialStyle.RawAuthorization, "ASSEMBLYAI", "https://api.assemblyai.com"),
        Dialect = UsageDialect.AssemblyAi,
        Pricing = PricingNames.OwnName,
    };
}
