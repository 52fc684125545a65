using Amazon.Runtime;

namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// The least <see cref="ClientConfig"/> that AWSSDK.Core's signer needs (region and service come from
/// the Authentication* properties); it stands in for the Bedrock client's config, whose package is not available here.
/// </summary>
internal sealed class AwsSdkSigningConfig() : ClientConfig(null)
{
    public override string ServiceVersion => "2023-09-30";

    public override string UserAgent => "tollgate-tests";

    public override string RegionEndpointServiceName => "bedrock-runtime";

    public override Amazon.Runtime.Endpoints.Endpoint DetermineServiceOperationEndpoint(Amazon.Runtime.Endpoints.ServiceOperationEndpointParameters parameters) =>
        throw new NotSupportedException("Requests are signed against an explicit endpoint.");
}
