using Tollgate.Metering;

namespace Tollgate.Providers;

/// <summary>Everything Tollgate knows about a built-in provider before any config is read.</summary>
internal sealed record ProviderDefinition
{
    /// <summary>Settings every provider's routes take, whatever its upstream reads.</summary>
    private static readonly string[] RouteConfigFields = ["timeout", "guardrails"];

    public required ProviderId Id { get; init; }

    /// <summary>The name in <c>pass_through_providers</c>, spend rows, metrics and logs (<c>openai</c>, <c>vertex_ai</c>).</summary>
    public required string Name { get; init; }

    /// <summary>First path segments that reach this provider (<c>/openai/…</c>); the first is the one messages name.</summary>
    public required IReadOnlyList<string> RoutePrefixes { get; init; }

    /// <summary>How its routes reach it: the host and where the credential goes, or a per-request preparer.</summary>
    public required IProviderUpstream Upstream { get; init; }

    /// <summary>How its answers report usage, so which reader meters them.</summary>
    public required UsageDialect Dialect { get; init; }

    /// <summary>How the price table knows it.</summary>
    public required PricingNames Pricing { get; init; }

    /// <summary>The provider's answers do not name the model, so pricing reads it from the request.</summary>
    public bool AnswersNameNoModel { get; init; }

    /// <summary>The <c>pass_through_providers.&lt;name&gt;</c> settings it reads.</summary>
    public IEnumerable<string> ConfigFields => RouteConfigFields.Concat(Upstream.ConfigFields);
}
