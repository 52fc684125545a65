using Tollgate.Forwarding;
using Tollgate.Routing;

namespace Tollgate.Providers;

/// <summary>What each route of a provider carries to reach it, made once at start-up (see <see cref="PassThroughRoute"/>).</summary>
internal sealed record RouteUpstream
{
    /// <summary>The provider's host; null when it is not configured or <see cref="Preparer"/> picks the host per request.</summary>
    public UpstreamTarget? Target { get; init; }

    /// <summary>Why the routes cannot forward, naming the missing setting.</summary>
    public string? ConfigurationProblem { get; init; }

    public KeyValuePair<string, string>? CredentialHeader { get; init; }

    public QueryPolicy Query { get; init; } = QueryPolicy.PassThrough;

    public IUpstreamPreparer? Preparer { get; init; }

    public bool DropsAmzHeaders { get; init; }

    public HttpMessageInvoker? Invoker { get; init; }
}
