using Microsoft.AspNetCore.Http;
using Tollgate.Calls;
using Tollgate.Credentials.SigV4;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Routing;

namespace Tollgate.Providers.Bedrock;

/// <summary>
/// Bedrock: runtime or agent-runtime host by the path, and an AWS SigV4 signature (service
/// <c>bedrock</c>) over the exact bytes sent, so the body is read into a pooled buffer first.
/// </summary>
internal sealed class BedrockPreparer(
    AwsCredentials credentials, string region, UpstreamTarget runtime, UpstreamTarget agentRuntime, GatewayLimits limits, TimeProvider time)
    : IUpstreamPreparer
{
    public const string SigningService = "bedrock";

    private readonly AwsSigningKeyCache _signingKeys = new();

    public async ValueTask<UpstreamPreparation> PrepareAsync(
        HttpContext context, PassThroughRoute route, RawRequestTarget target, bool dropKeyParameter, CancellationToken cancellationToken)
    {
        var upstream = BedrockPaths.IsAgentRuntime(target.Tail) ? agentRuntime : runtime;
        var uri = UpstreamUriBuilder.TryBuild(upstream, QueryPolicy.PassThrough, target.Tail, target.Query, dropKeyParameter, out var problem);
        if (uri is null)
        {
            return UpstreamPreparation.Fail(GatewayFailure.UnsafePath(problem));
        }

        var (body, failure) = await BufferedRequestBody.TryReadAsync(context, limits, cancellationToken);
        if (failure is not null)
        {
            return new UpstreamPreparation(null, null, failure);
        }

        // The hash is taken now, after any guardrail rewrote the body: the signature covers what is sent.
        return new UpstreamPreparation(uri, body!.Sha256Hex, null);
    }

    public void ApplyCredentials(HttpRequestMessage proxyRequest, PassThroughCall call)
    {
        var uri = proxyRequest.RequestUri!;
        // Set explicitly so the Host on the wire is the one that was signed.
        var host = uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";
        proxyRequest.Headers.Host = host;

        var signature = AwsSigV4Signer.Sign(new AwsSigningRequest
        {
            Method = proxyRequest.Method.Method,
            Host = host,
            Path = uri.AbsolutePath,
            Query = uri.Query.Length > 0 ? uri.Query[1..] : "",
            PayloadSha256Hex = (string)call.CredentialState!,
            Credentials = credentials,
            Region = region,
            Service = SigningService,
            Timestamp = time.GetUtcNow(),
            AddContentSha256Header = true,
            SigningKeys = _signingKeys,
        });

        PassThroughTransformer.Replace(proxyRequest, "Authorization", signature.Authorization);
        PassThroughTransformer.Replace(proxyRequest, "x-amz-date", signature.AmzDate);
        PassThroughTransformer.Replace(proxyRequest, "x-amz-content-sha256", signature.ContentSha256!);
        if (signature.SecurityToken is { } token)
        {
            PassThroughTransformer.Replace(proxyRequest, "x-amz-security-token", token);
        }
    }
}
