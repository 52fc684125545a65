using System.Net;
using Tollgate.Configuration;
using Tollgate.Forwarding;
using Tollgate.Guardrails;
using Tollgate.Providers;
using Yarp.ReverseProxy.Forwarder;

namespace Tollgate.Routing;

/// <summary>Resolves the config snapshot and LiteLLM's environment fallbacks into a <see cref="RouteTable"/>.</summary>
internal static class RouteTableBuilder
{
    /// <summary>Default wait for a provider's first byte and between bytes (contract section 2).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(600);

    /// <summary>The routes; what the providers' settings and environment get wrong goes to <paramref name="errors"/>, with the rest of start-up's problems.</summary>
    public static RouteTable Build(
        TollgateConfig config, Func<string, string?> environment, UpstreamInvokers invokers, GatewayLimits limits, TimeProvider time,
        GuardrailRegistry guardrails, List<string> errors)
    {
        var providers = ProviderRegistry.All
            .SelectMany(p => BuildProvider(new UpstreamBuildContext(p, config, environment, invokers, limits, time, errors), guardrails))
            .ToList();
        var custom = config.General.PassThroughEndpoints.Select(e => BuildCustom(e, invokers, guardrails)).ToList();
        return new RouteTable(providers, custom);
    }

    /// <summary>One route per prefix, all reaching the provider the same way.</summary>
    private static IEnumerable<PassThroughRoute> BuildProvider(UpstreamBuildContext context, GuardrailRegistry guardrails)
    {
        var provider = context.Provider;
        var settings = context.Settings;
        var upstream = provider.Upstream.Build(context);
        var guardrailPlan = guardrails.ForProvider(settings?.Guardrails, GuardrailMode.PreCall);
        var responsePlan = guardrails.ForProvider(settings?.Guardrails, GuardrailMode.PostCall);
        var requestConfig = RequestConfig(settings?.TimeoutSeconds);
        return provider.RoutePrefixes.Select(prefix => new PassThroughRoute
        {
            Name = provider.Name,
            Prefix = "/" + prefix,
            IsCustomEndpoint = false,
            Definition = provider,
            Upstream = upstream.Target,
            ConfigurationProblem = upstream.ConfigurationProblem,
            CredentialHeader = upstream.CredentialHeader,
            RequiresVirtualKey = true,
            ForwardClientHeaders = true,
            ReadsModelFromRequest = provider.AnswersNameNoModel,
            Query = upstream.Query,
            Preparer = upstream.Preparer,
            DropsAmzHeaders = upstream.DropsAmzHeaders,
            Guardrails = guardrailPlan,
            ResponseGuardrails = responsePlan,
            RequestConfig = requestConfig,
            Invoker = upstream.Invoker,
        });
    }

    private static PassThroughRoute BuildCustom(CustomEndpointConfig endpoint, UpstreamInvokers invokers, GuardrailRegistry guardrails)
    {
        var upstream = new UpstreamTarget(endpoint.Target);
        return new PassThroughRoute
        {
            Name = endpoint.Path,
            Prefix = endpoint.Path,
            IsCustomEndpoint = true,
            Upstream = upstream,
            RequiresVirtualKey = endpoint.Auth,
            ForwardClientHeaders = endpoint.ForwardHeaders,
            IncludeSubpath = endpoint.IncludeSubpath,
            ExtraHeaders = endpoint.Headers.ToList(),
            Methods = endpoint.Methods.ToHashSet(StringComparer.OrdinalIgnoreCase),
            Query = new QueryPolicy
            {
                ClientOverridesTarget = endpoint.MergeQueryParams,
                Defaults = endpoint.DefaultQueryParams,
            },
            CostPerRequest = endpoint.CostPerRequest,
            Guardrails = guardrails.ForEndpoint(endpoint, GuardrailMode.PreCall),
            ResponseGuardrails = guardrails.ForEndpoint(endpoint, GuardrailMode.PostCall),
            RequestConfig = RequestConfig(endpoint.TimeoutSeconds),
            Invoker = invokers.For(upstream.Origin),
        };
    }

    public static ForwarderRequestConfig RequestConfig(double? timeoutSeconds) => new()
    {
        ActivityTimeout = timeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultTimeout,
        // HTTP/2 where the provider offers it over TLS; HTTP/1.1 otherwise.
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        AllowResponseBuffering = false,
    };

    public static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
