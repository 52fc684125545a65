using Tollgate.Configuration;
using Tollgate.Forwarding;
using Tollgate.Guardrails;
using Tollgate.Metering;
using Tollgate.Providers;
using Tollgate.Routing;

namespace Tollgate.Tests.Routing;

public sealed class RouteTableBuilderTests
{
    private static RouteTable Build(string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var invokers = new UpstreamInvokers();
        var errors = new List<string>();
        var routes = RouteTableBuilder.Build(
            ConfigLoader.LoadYaml(yaml, _ => null), name => environment?.GetValueOrDefault(name), invokers, new GatewayLimits(100),
            TimeProvider.System, GuardrailRegistry.Empty, errors);
        Assert.Empty(errors);
        return routes;
    }

    private static PassThroughRoute Match(RouteTable routes, string path)
    {
        Assert.True(routes.TryMatch(path, out var route, out _), path);
        return route;
    }

    [Fact]
    public void Every_route_prefix_of_every_provider_reaches_that_provider()
    {
        var routes = Build("");

        foreach (var provider in ProviderRegistry.All)
        {
            foreach (var prefix in provider.RoutePrefixes)
            {
                var route = Match(routes, $"/{prefix}/v1/x");
                Assert.Same(provider, route.Definition);
                Assert.Equal(provider.Name, route.Provider);
                Assert.Equal(provider.Dialect, route.Dialect);
                Assert.Equal("/" + prefix, route.Prefix);
                Assert.True(route.RequiresVirtualKey);
            }
        }

        Assert.Equal(ProviderRegistry.All.Sum(p => p.RoutePrefixes.Count), routes.Providers.Count);
    }

    [Fact]
    public void A_custom_endpoint_is_metered_as_one()
    {
        var routes = Build("""
            general_settings:
              pass_through_endpoints:
                - { path: /rerank, target: "http://127.0.0.1:9/v1/rerank" }
            """);

        var route = Match(routes, "/rerank");

        Assert.Null(route.Definition);
        Assert.Equal("custom", route.Provider);
        Assert.Equal(UsageDialect.CustomEndpoint, route.Dialect);
    }

    [Fact]
    public void A_providers_prefixes_share_its_upstream_and_settings()
    {
        var routes = Build("""
            pass_through_providers:
              vertex_ai: { timeout: 42 }
            """);

        var (underscore, dash) = (Match(routes, "/vertex_ai/v1"), Match(routes, "/vertex-ai/v1"));

        Assert.NotNull(underscore.Preparer);
        Assert.Same(underscore.Preparer, dash.Preparer);
        Assert.Equal(TimeSpan.FromSeconds(42), dash.RequestConfig.ActivityTimeout);
        Assert.NotNull(dash.ConfigurationProblem);
        Assert.Equal(underscore.ConfigurationProblem, dash.ConfigurationProblem);
    }

    [Fact]
    public void Each_provider_puts_its_credential_its_own_way()
    {
        var routes = Build("", new Dictionary<string, string>
        {
            ["ANTHROPIC_API_KEY"] = "sk-ant",
            ["GEMINI_API_KEY"] = "g-key",
            ["AWS_ACCESS_KEY_ID"] = "AKIA0000000000000000",
            ["AWS_SECRET_ACCESS_KEY"] = "secret",
            ["AWS_REGION_NAME"] = "us-east-1",
        });

        Assert.Equal(new KeyValuePair<string, string>("x-api-key", "sk-ant"), Match(routes, "/anthropic/v1").CredentialHeader);
        Assert.Equal("key=g-key", Match(routes, "/gemini/v1").Query.AppendedParameter);
        var bedrock = Match(routes, "/bedrock/model");
        Assert.Null(bedrock.ConfigurationProblem);
        Assert.NotNull(bedrock.Preparer);
        Assert.True(bedrock.DropsAmzHeaders);
        Assert.False(Match(routes, "/openai/v1").DropsAmzHeaders);
        Assert.True(Match(routes, "/cohere/v1").ReadsModelFromRequest);
    }
}
