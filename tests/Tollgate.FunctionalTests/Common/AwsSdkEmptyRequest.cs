using Amazon.Runtime;

namespace Tollgate.FunctionalTests.Common;

/// <summary>The operation request object AWSSDK.Core's <c>DefaultRequest</c> insists on; it carries nothing.</summary>
internal sealed class AwsSdkEmptyRequest : AmazonWebServiceRequest;
