using Microsoft.AspNetCore.Http;
using Tollgate.Calls;
using Tollgate.Errors;
using Tollgate.Routing;

namespace Tollgate.Forwarding;

/// <summary>
/// What a provider whose credential is not a static key adds to forwarding: Vertex AI picks a regional
/// host and mints an OAuth token, Bedrock buffers the body and signs it. API-key routes have none.
/// </summary>
internal interface IUpstreamPreparer
{
    /// <summary>Step (5) of the pass-through flow: the upstream URL and the credential's per-request state, or a refusal.</summary>
    /// <param name="context">The client's request.</param>
    /// <param name="route">The matched route.</param>
    /// <param name="target">The raw request target.</param>
    /// <param name="dropKeyParameter">Remove every client <c>key</c> query parameter: it is a key carrier.</param>
    /// <param name="cancellationToken">The client's abort token.</param>
    ValueTask<UpstreamPreparation> PrepareAsync(HttpContext context, PassThroughRoute route, RawRequestTarget target, bool dropKeyParameter, CancellationToken cancellationToken);

    /// <summary>Called by the transformer once the upstream request's URL and headers are final.</summary>
    void ApplyCredentials(HttpRequestMessage proxyRequest, PassThroughCall call);
}

/// <summary>Either an upstream URL (with optional credential state) or the failure to answer instead.</summary>
internal readonly record struct UpstreamPreparation(Uri? Uri, object? CredentialState, GatewayFailure? Failure)
{
    public static UpstreamPreparation Fail(GatewayError error, string message) => Fail(new GatewayFailure(error, message));

    public static UpstreamPreparation Fail(GatewayFailure failure) => new(null, null, failure);
}
