using Tollgate.Configuration;
using Tollgate.Forwarding;

namespace Tollgate.Providers;

/// <summary>What a provider's <see cref="IProviderUpstream"/> is built from.</summary>
/// <param name="Provider">The provider being built.</param>
/// <param name="Config">The whole snapshot (Vertex AI also reads <c>default_vertex_config</c>).</param>
/// <param name="Environment">Reads an environment variable.</param>
/// <param name="Invokers">One outbound client per upstream.</param>
/// <param name="Limits">The gateway's body limits (Bedrock reads bodies to sign them).</param>
/// <param name="Time">The clock.</param>
/// <param name="Errors">Start-up's problems, to add to.</param>
internal sealed record UpstreamBuildContext(
    ProviderDefinition Provider,
    TollgateConfig Config,
    Func<string, string?> Environment,
    UpstreamInvokers Invokers,
    GatewayLimits Limits,
    TimeProvider Time,
    List<string> Errors)
{
    /// <summary>The provider's <c>pass_through_providers</c> entry, if it has one.</summary>
    public ProviderConfig? Settings => Config.Providers.GetValueOrDefault(Provider.Name);
}
