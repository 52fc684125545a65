using Tollgate.Metering;
using Tollgate.Providers;

namespace Tollgate.Tests.Metering;

/// <summary>The dialect a provider's routes are metered with, by the provider's name; any other name stands for a custom endpoint.</summary>
internal static class ProviderDialects
{
    public static UsageDialect Of(string provider) =>
        ProviderRegistry.TryGet(provider, out var definition) ? definition.Dialect : UsageDialect.CustomEndpoint;
}
