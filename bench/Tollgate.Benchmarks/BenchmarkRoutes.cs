using Tollgate.Guardrails;
using Tollgate.Providers;
using Tollgate.Routing;

namespace Tollgate.Benchmarks;

/// <summary>A provider route as the route table builds one, for benchmarks that need a call on it.</summary>
internal static class BenchmarkRoutes
{
    public static PassThroughRoute Provider(string name, KeyValuePair<string, string>? credential = null, GuardrailPlan? guardrails = null) => new()
    {
        Name = name,
        Prefix = "/" + name,
        IsCustomEndpoint = false,
        Definition = ProviderRegistry.TryGet(name, out var provider) ? provider : null,
        Upstream = null,
        RequiresVirtualKey = true,
        ForwardClientHeaders = true,
        CredentialHeader = credential,
        Guardrails = guardrails,
        RequestConfig = RouteTableBuilder.RequestConfig(null),
    };
}
