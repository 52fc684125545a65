using System.Net;
using Tollgate.Configuration;
using Tollgate.Forwarding;
using Tollgate.Guardrails;
using Tollgate.Providers;
using Tollgate.Providers.Bedrock;
using Tollgate.Providers.VertexAi;
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
        var providers = BuiltInProviders.ApiKeyProviders
            .SelectMany(p => BuildProvider(p, config.Providers.GetValueOrDefault(p.Name), environment, invokers, guardrails, errors))
            .ToList();
        providers.AddRange(VertexAiRoutes.Build(config, environment, invokers, guardrails, errors));
        providers.Add(BedrockRoutes.Build(config, environment, invokers, limits, time, guardrails, errors));
        var custom = config.General.PassThroughEndpoints.Select(e => BuildCustom(e, invokers, guardrails)).ToList();
        return new RouteTable(providers, custom);
    }

    private static IEnumerable<PassThroughRoute> BuildProvider(
        ProviderDefinition provider, ProviderConfig? config, Func<string, string?> environment, UpstreamInvokers invokers,
        GuardrailRegistry guardrails, List<string> errors)
    {
        var apiKey = NonEmpty(config?.ApiKey) ?? NonEmpty(environment(provider.ApiKeyVariable));
        var apiBaseText = NonEmpty(config?.ApiBase);
        if (apiBaseText is null && NonEmpty(environment(provider.ApiBaseVariable)) is { } fromEnvironment)
        {
            UrlRules.CheckBaseUrl(fromEnvironment, provider.ApiBaseVariable, errors);
            apiBaseText = fromEnvironment;
        }

        apiBaseText ??= provider.DefaultApiBase;
        Uri? apiBase = null;
        if (apiBaseText is not null && !UrlRules.TryParseHttpUrl(apiBaseText, out apiBase, out _))
        {
            apiBase = null;
        }

        string? problem = null;
        if (apiBase is null)
        {
            problem = $"The {provider.Name} route has no upstream: set pass_through_providers.{provider.Name}.api_base or the {provider.ApiBaseVariable} environment variable.";
        }
        else if (apiKey is null && provider.ApiKeyRequired)
        {
            problem = $"The {provider.Name} route has no credential: set pass_through_providers.{provider.Name}.api_key or the {provider.ApiKeyVariable} environment variable.";
        }

        var upstream = apiBase is null ? null : new UpstreamTarget(apiBase);
        var query = provider.Credential == CredentialStyle.QueryKey && apiKey is not null
            ? new QueryPolicy { AppendedParameter = "key=" + Uri.EscapeDataString(apiKey) }
            : QueryPolicy.PassThrough;

        var guardrailPlan = guardrails.ForProvider(config?.Guardrails, GuardrailMode.PreCall);
        var responsePlan = guardrails.ForProvider(config?.Guardrails, GuardrailMode.PostCall);
        foreach (var prefix in provider.RoutePrefixes)
        {
            yield return new PassThroughRoute
            {
                Name = provider.Name,
                Prefix = "/" + prefix,
                IsCustomEndpoint = false,
                Upstream = upstream,
                ConfigurationProblem = problem,
                CredentialHeader = apiKey is null ? null : CredentialHeader(provider.Credential, apiKey),
                RequiresVirtualKey = true,
                ForwardClientHeaders = true,
                ReadsModelFromRequest = provider.AnswersNameNoModel,
                Query = query,
                Guardrails = guardrailPlan,
                ResponseGuardrails = responsePlan,
                RequestConfig = RequestConfig(config?.TimeoutSeconds),
                Invoker = upstream is null ? null : invokers.For(upstream.Origin),
            };
        }
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

    private static KeyValuePair<string, string>? CredentialHeader(CredentialStyle style, string apiKey) => style switch
    {
        CredentialStyle.BearerToken => new("Authorization", "Bearer " + apiKey),
        CredentialStyle.RawAuthorization => new("Authorization", apiKey),
        CredentialStyle.XApiKeyHeader => new("x-api-key", apiKey),
        CredentialStyle.ApiKeyHeader => new("api-key", apiKey),
        // The Gemini key travels in the query (QueryPolicy.AppendedParameter).
        _ => null,
    };

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
