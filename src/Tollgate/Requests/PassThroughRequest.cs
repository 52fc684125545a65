using Tollgate.Keys;
using Tollgate.Routing;

namespace Tollgate.Requests;

/// <summary>Per-request state of a pass-through call, kept on <c>HttpContext.Features</c>.</summary>
internal sealed class PassThroughRequest
{
    public required PassThroughRoute Route { get; init; }

    public required Uri UpstreamUri { get; init; }

    public required VirtualKeySource KeySource { get; init; }

    /// <summary>The caller's key, hashed; null on an open gateway or an endpoint without auth.</summary>
    public KeyHash? KeyHash { get; init; }

    public required string[] Tags { get; init; }

    /// <summary>What the route's preparer readied for the transformer (an access token, a buffered body).</summary>
    public object? CredentialState { get; init; }
}
