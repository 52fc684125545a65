using System.Net.Http.Headers;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Util;

namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// Builds an <see cref="HttpRequestMessage"/> signed by AWSSDK.Core's own SigV4 signer, with the URL
/// composed the SDK's way (path parameters such as a model ARN percent-encoded, <c>/</c> as <c>%2F</c>),
/// as a Bedrock client would send it: an independent reference for checking SigV4 verifiers and signers.
/// </summary>
public static class AwsSdkSigner
{
    /// <param name="endpoint">Scheme and authority, e.g. <c>http://127.0.0.1:5000</c>.</param>
    /// <param name="resourcePath">A path template such as <c>/model/{modelId}/converse</c>.</param>
    /// <param name="pathResources">Values for the template's placeholders, e.g. <c>{modelId}</c>.</param>
    /// <param name="jsonBody">Sent as <c>application/json</c>.</param>
    public static HttpRequestMessage CreateSignedRequest(
        Uri endpoint,
        string resourcePath,
        IReadOnlyDictionary<string, string> pathResources,
        string jsonBody,
        string accessKeyId,
        string secretAccessKey,
        string? sessionToken,
        string region,
        string service = "bedrock")
    {
        var body = System.Text.Encoding.UTF8.GetBytes(jsonBody);
        var sdkRequest = new DefaultRequest(new AwsSdkEmptyRequest(), "BedrockRuntime")
        {
            HttpMethod = "POST",
            Endpoint = endpoint,
            ResourcePath = resourcePath,
            Content = body,
        };
        foreach (var (name, value) in pathResources)
        {
            sdkRequest.PathResources[name] = StringUtils.FromString(value);
        }

        sdkRequest.Headers["Content-Type"] = "application/json";
        if (sessionToken is not null)
        {
            // The SDK's credential pipeline adds the token before signing, so it is a signed header.
            sdkRequest.Headers["X-Amz-Security-Token"] = sessionToken;
        }

        var config = new AwsSdkSigningConfig { AuthenticationRegion = region, AuthenticationServiceName = service };
        var signature = new AWS4Signer().SignRequest(sdkRequest, config, null, accessKeyId, secretAccessKey);

        var message = new HttpRequestMessage(HttpMethod.Post, Amazon.Runtime.AmazonServiceClient.ComposeUrl(sdkRequest))
        {
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in sdkRequest.Headers)
        {
            if (name is not ("Content-Type" or "host"))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        message.Headers.TryAddWithoutValidation("Authorization", signature.ForAuthorizationHeader);
        return message;
    }
}
