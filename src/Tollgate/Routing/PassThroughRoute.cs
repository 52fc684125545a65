using Tollgate.Metering;
using Tollgate.Providers;
using Yarp.ReverseProxy.Forwarder;

namespace Tollgate.Routing;

/// <summary>One route prefix and everything needed to forward a request on it, fixed at start-up.</summary>
internal sealed class PassThroughRoute
{
    /// <summary>Provider name (<c>openai</c>) or, for a custom endpoint, its configured path.</summary>
    public required string Name { get; init; }

    /// <summary>The client-side prefix, e.g. <c>/openai</c>; the rest of the path is the tail.</summary>
    public required string Prefix { get; init; }

    public required bool IsCustomEndpoint { get; init; }

    /// <summary>The built-in provider the route reaches; null on a custom endpoint.</summary>
    public ProviderDefinition? Definition { get; init; }

    /// <summary><c>openai</c>, <c>bedrock</c>, … or <c>custom</c>: the name pricing, metering and metrics know the route by.</summary>
    public string Provider => IsCustomEndpoint ? "custom" : Name;

    /// <summary>How the route's answers report usage: its provider's, or a custom endpoint's.</summary>
    public UsageDialect Dialect => Definition?.Dialect ?? UsageDialect.CustomEndpoint;

    /// <summary>Where requests go; null when the route is not configured (see <see cref="ConfigurationProblem"/>) or its <see cref="Preparer"/> picks the host per request.</summary>
    public required UpstreamTarget? Upstream { get; init; }

    /// <summary>Why the route cannot forward, naming the missing setting; answered as a 500.</summary>
    public string? ConfigurationProblem { get; init; }

    /// <summary>The real credential as an upstream header (name, value), made once at start-up; never logged.</summary>
    public KeyValuePair<string, string>? CredentialHeader { get; init; }

    public required bool RequiresVirtualKey { get; init; }

    /// <summary>Forward the client's non-credential headers (always on provider routes; <c>forward_headers</c> on custom ones).</summary>
    public required bool ForwardClientHeaders { get; init; }

    /// <summary>
    /// The provider's answers name no model (Cohere), so a call's price needs the request's: a JSON body
    /// is read for its <c>model</c> before it is forwarded, as for a key with a models list.
    /// </summary>
    public bool ReadsModelFromRequest { get; init; }

    /// <summary>Custom endpoints: require an exact path unless <c>include_subpath</c>.</summary>
    public bool IncludeSubpath { get; init; } = true;

    public IReadOnlyList<KeyValuePair<string, string>> ExtraHeaders { get; init; } = [];

    /// <summary>Allowed methods (upper case); empty allows all.</summary>
    public IReadOnlySet<string> Methods { get; init; } = new HashSet<string>();

    public QueryPolicy Query { get; init; } = QueryPolicy.PassThrough;

    public decimal? CostPerRequest { get; init; }

    /// <summary>Per-request URL and credential work for providers without a static key (Vertex AI, Bedrock).</summary>
    public Forwarding.IUpstreamPreparer? Preparer { get; init; }

    /// <summary>Bedrock: the client's own <c>x-amz-*</c> headers (its SDK's signature parts) are dropped and re-made.</summary>
    public bool DropsAmzHeaders { get; init; }

    /// <summary>The pre_call guardrails configured on this route (provider or endpoint), or null: then only a key's guardrails make the body be read.</summary>
    public Guardrails.GuardrailPlan? Guardrails { get; init; }

    /// <summary>The post_call guardrails configured on this route, or null: then only a key's make the answer be held.</summary>
    public Guardrails.GuardrailPlan? ResponseGuardrails { get; init; }

    public required ForwarderRequestConfig RequestConfig { get; init; }

    public HttpMessageInvoker? Invoker { get; init; }
}
