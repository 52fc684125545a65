using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.Common;

/// <summary>A fake provider and a gateway whose <c>pass_through_providers.&lt;provider&gt;</c> entry points at it.</summary>
public sealed class SingleProviderGateway : IAsyncDisposable
{
    private SingleProviderGateway(FakeUpstream upstream, GatewayTestEnvironment gateway)
    {
        Upstream = upstream;
        Gateway = gateway;
    }

    public FakeUpstream Upstream { get; }

    public GatewayTestEnvironment Gateway { get; }

    /// <param name="provider">The <c>pass_through_providers</c> name, e.g. <c>anthropic</c>.</param>
    /// <param name="handler">The fake provider.</param>
    /// <param name="apiKey">The real key the gateway holds (read from its environment, as in a real config), or null for none.</param>
    /// <param name="yaml">More top-level config (e.g. <c>litellm_settings</c>).</param>
    public static async Task<SingleProviderGateway> StartAsync(string provider, RequestDelegate handler, string? apiKey, string yaml = "")
    {
        var upstream = await FakeUpstream.StartAsync(handler);
        var keyEntry = apiKey is null ? "" : "api_key: os.environ/PROVIDER_REAL_KEY, ";
        var environment = apiKey is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["PROVIDER_REAL_KEY"] = apiKey };
        var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            pass_through_providers:
              {{provider}}: { {{keyEntry}}api_base: {{upstream.Origin}} }
            {{yaml}}
            """,
            environment);
        return new SingleProviderGateway(upstream, gateway);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
