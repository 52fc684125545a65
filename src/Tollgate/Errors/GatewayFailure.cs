using Yarp.ReverseProxy.Forwarder;

namespace Tollgate.Errors;

/// <summary>A step's failure, answered in the contract's JSON shape (<see cref="ErrorResponse"/>).</summary>
/// <param name="Error">What failed; the table in <see cref="GatewayErrors"/> gives status, type and log level.</param>
/// <param name="Message">Says what to fix; never holds a key or credential.</param>
internal sealed record GatewayFailure(GatewayError Error, string Message)
{
    /// <summary>A header the answer needs besides the table's <c>Retry-After</c> (<c>Allow</c> on 405), or a <c>Retry-After</c> of its own.</summary>
    public KeyValuePair<string, string>? Header { get; init; }

    /// <summary>Where forwarding stopped, when it did (<c>None</c> for a refusal before forwarding).</summary>
    public ForwarderError Forwarding { get; init; }

    /// <summary>The provider's side failed (not the client's, not the gateway's checks).</summary>
    public bool ProviderSide => Error is GatewayError.UpstreamUnreachable or GatewayError.UpstreamTimeout;

    /// <summary>The client's path would leave the provider's base path or host (<see cref="Routing.PathSafety"/>).</summary>
    public static GatewayFailure UnsafePath(string? problem) => new(GatewayError.InvalidRequest, $"Refused: {problem}.");

    /// <summary>The client left at the end of an answer that had started: the call is a failure, but nothing can be answered.</summary>
    public static readonly GatewayFailure ClientLeftAtEnd =
        new(GatewayError.ClientClosedRequest, "The client went away before the answer ended.") { Forwarding = ForwarderError.ResponseBodyClient };
}
