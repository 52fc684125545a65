namespace Tollgate.Providers;

/// <summary>
/// How a provider's routes reach it, worked out once at start-up from its settings and LiteLLM's
/// environment variables: <see cref="ApiKeyUpstream"/> for a host with a static key, or a provider's
/// own (Vertex AI, Bedrock) that hands its routes a per-request preparer.
/// </summary>
internal interface IProviderUpstream
{
    /// <summary>The <c>pass_through_providers.&lt;name&gt;</c> settings <see cref="Build"/> reads.</summary>
    IReadOnlyList<string> ConfigFields { get; }

    /// <summary>What the provider's routes carry; settings that are wrong go to <see cref="UpstreamBuildContext.Errors"/>.</summary>
    RouteUpstream Build(UpstreamBuildContext context);
}
