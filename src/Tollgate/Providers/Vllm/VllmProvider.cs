using Tollgate.Metering;

namespace Tollgate.Providers.Vllm;

/// <summary><c>/vllm</c>: a self-hosted vLLM server, which may run without a key.</summary>
internal static class VllmProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.Vllm,
        Name = "vllm",
        RoutePrefixes = ["vllm"],
        Upstream = new ApiKeyUpstream(CredentialStyle.BearerToken, "VLLM", DefaultApiBase: null, ApiKeyRequired: false),
        Dialect = UsageDialect.OpenAi,
        Pricing = new(["hosted_vllm"]),
    };
}
