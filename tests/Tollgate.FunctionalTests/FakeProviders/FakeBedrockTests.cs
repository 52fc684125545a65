using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.Runtime.Internal.Auth;
using Microsoft.Extensions.Time.Testing;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// The fake Bedrock accepts exactly the requests AWS would: signed by AWSSDK.Core's own signer (the
/// reference), or by hand the documented way; anything changed after signing is refused.
/// </summary>
public sealed class FakeBedrockTests
{
    private const string ConverseBody = """{"messages":[{"role":"user","content":[{"text":"hi"}]}]}""";
    private const string ProfileArn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
    private const string SessionToken = "FwoGZXIvYXdzEFAKE//session+token==";

    [Theory]
    [InlineData("anthropic.claude-3-5-haiku-20241022-v1:0")]
    [InlineData(ProfileArn)]
    public async Task Converse_SignedByTheSdk_IsAccepted(string modelId)
    {
        await using var bedrock = await FakeBedrock.StartAsync(sessionToken: SessionToken).DefaultTimeout();
        using var client = new HttpClient();
        using var request = SdkSigned(bedrock, "converse", modelId, ConverseBody);

        using var response = await client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
        Assert.Equal(FakeBedrock.ConverseJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal([modelId], bedrock.ModelIds);
        if (modelId == ProfileArn)
        {
            // The SDK puts the ARN in one path segment, its '/' encoded; the fake routed on that raw form.
            Assert.Contains("application-inference-profile%2Fabc123/converse", bedrock.Upstream.LastRequest.RawTarget, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HandBuiltSignature_IsAccepted()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        using var client = new HttpClient();
        using var request = HandSigned(bedrock, "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Aapplication-inference-profile%2Fabc/converse", ConverseBody);

        using var response = await client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
        Assert.Equal(["arn:aws:bedrock:us-east-1:123:application-inference-profile/abc"], bedrock.ModelIds);
    }

    [Fact]
    public async Task BodyAlteredAfterSigning_IsRefused()
    {
        await using var bedrock = await FakeBedrock.StartAsync(sessionToken: SessionToken).DefaultTimeout();
        using var client = new HttpClient();
        using var request = SdkSigned(bedrock, "converse", ProfileArn, ConverseBody);
        request.Content = new StringContent(ConverseBody.Replace("hi", "ho", StringComparison.Ordinal), Encoding.UTF8);
        request.Content.Headers.ContentType = new("application/json");

        using var response = await client.SendAsync(request).DefaultTimeout();

        await AssertRefusedAsync(response, "InvalidSignatureException", SigV4Verifier.MismatchMessage).DefaultTimeout();
        Assert.Contains("%252F", Assert.Single(bedrock.Rejections).Detail, StringComparison.Ordinal);
        Assert.Empty(bedrock.ModelIds);
    }

    [Fact]
    public async Task PathDecodedAfterSigning_IsRefused()
    {
        // A gateway that un-escapes the ARN's %2F would send a different path from the one signed.
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        using var client = new HttpClient();
        using var request = HandSigned(bedrock, "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Aapplication-inference-profile%2Fabc/converse", ConverseBody);
        request.RequestUri = new Uri(bedrock.Origin + "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Aapplication-inference-profile/abc/converse");

        using var response = await client.SendAsync(request).DefaultTimeout();

        await AssertRefusedAsync(response, "InvalidSignatureException", SigV4Verifier.MismatchMessage).DefaultTimeout();
    }

    [Theory]
    [InlineData("wrong-secret", "InvalidSignatureException")]
    [InlineData("wrong-region", "InvalidSignatureException")]
    [InlineData("wrong-access-key", "UnrecognizedClientException")]
    [InlineData("missing-token", "UnrecognizedClientException")]
    [InlineData("unsigned", "MissingAuthenticationTokenException")]
    public async Task WrongCredentials_AreRefused(string flaw, string errorType)
    {
        await using var bedrock = await FakeBedrock.StartAsync(sessionToken: SessionToken).DefaultTimeout();
        using var client = new HttpClient();
        using var request = AwsSdkSigner.CreateSignedRequest(
            new Uri(bedrock.Origin),
            "/model/{modelId}/converse",
            new Dictionary<string, string> { ["{modelId}"] = "anthropic.claude-3-5-haiku-20241022-v1:0" },
            ConverseBody,
            flaw == "wrong-access-key" ? "AKIAOTHERKEY00000000" : bedrock.AccessKeyId,
            flaw == "wrong-secret" ? "not-the-secret" : bedrock.SecretAccessKey,
            flaw == "missing-token" ? null : SessionToken,
            flaw == "wrong-region" ? "eu-west-1" : bedrock.Region);
        if (flaw == "unsigned")
        {
            request.Headers.Remove("Authorization");
        }

        using var response = await client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(errorType, response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task SignatureOlderThanFiveMinutes_IsRefused()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(6));
        await using var bedrock = await FakeBedrock.StartAsync(time: clock).DefaultTimeout();
        using var client = new HttpClient();
        using var request = SdkSigned(bedrock, "converse", "anthropic.claude-3-5-haiku-20241022-v1:0", ConverseBody);

        using var response = await client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith("Signature expired", Assert.Single(bedrock.Rejections).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConverseStream_IsAwsEventStream_FrameByFrame()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        using var client = new HttpClient();
        using var request = SdkSigned(bedrock, "converse-stream", "amazon.nova-lite-v1:0", ConverseBody);

        using var response = await client.SendAsync(request).DefaultTimeout();
        var bytes = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(FakeBedrock.EventStreamContentType, response.Content.Headers.ContentType?.MediaType);
        var frames = AwsEventStream.DecodeAll(bytes);
        Assert.Equal(FakeBedrock.ConverseStreamEvents.Select(e => e.EventType), frames.Select(f => f.EventType));
        Assert.Equal(FakeBedrock.ConverseStreamEvents.Select(e => e.Payload), frames.Select(f => f.PayloadText));
        Assert.All(frames, f => Assert.Equal(
            [":event-type", ":content-type", ":message-type"], f.Headers.Select(h => h.Key)));
        Assert.All(frames, f => Assert.Equal("event", f.Header(":message-type")));
    }

    [Theory]
    [InlineData("anthropic.claude-3-5-haiku-20241022-v1:0", "8")]
    [InlineData("meta.llama3-8b-instruct-v1:0", "5")]
    public async Task Invoke_AnswersInTheModelFamilysShape_WithTokenCountHeaders(string modelId, string outputTokens)
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        using var client = new HttpClient();
        using var request = SdkSigned(bedrock, "invoke", modelId, """{"prompt":"hi"}""");

        using var response = await client.SendAsync(request).DefaultTimeout();

        var expected = modelId.StartsWith("meta.", StringComparison.Ordinal) ? FakeBedrock.InvokeLlamaJson : FakeBedrock.InvokeAnthropicJson;
        Assert.Equal(expected, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("10", response.Headers.GetValues("X-Amzn-Bedrock-Input-Token-Count").Single());
        Assert.Equal(outputTokens, response.Headers.GetValues("X-Amzn-Bedrock-Output-Token-Count").Single());
    }

    [Fact]
    public async Task InvokeWithResponseStream_WrapsTheModelsChunksInBase64()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        using var client = new HttpClient();
        using var request = SdkSigned(bedrock, "invoke-with-response-stream", "anthropic.claude-3-5-haiku-20241022-v1:0", """{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[]}""");

        using var response = await client.SendAsync(request).DefaultTimeout();
        var frames = AwsEventStream.DecodeAll(await response.Content.ReadAsByteArrayAsync().DefaultTimeout());

        Assert.All(frames, f => Assert.Equal("chunk", f.EventType));
        var inner = frames.Select(f => Encoding.UTF8.GetString(Convert.FromBase64String(JsonDocument.Parse(f.Payload).RootElement.GetProperty("bytes").GetString()!)));
        Assert.Equal(FakeBedrock.InvokeAnthropicStreamChunks, inner);
    }

    [Fact]
    public async Task AgentRuntime_InvokeAgentAndRetrieve()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        using var client = new HttpClient();
        using var agent = AwsSdkSigner.CreateSignedRequest(new Uri(bedrock.Origin), "/agents/AGENT1/agentAliases/ALIAS1/sessions/s-1/text", new Dictionary<string, string>(), """{"inputText":"hi"}""", bedrock.AccessKeyId, bedrock.SecretAccessKey, null, bedrock.Region);
        using var retrieve = AwsSdkSigner.CreateSignedRequest(new Uri(bedrock.Origin), "/knowledgebases/KB1/retrieve", new Dictionary<string, string>(), """{"retrievalQuery":{"text":"hi"}}""", bedrock.AccessKeyId, bedrock.SecretAccessKey, null, bedrock.Region);

        using var agentResponse = await client.SendAsync(agent).DefaultTimeout();
        using var retrieveResponse = await client.SendAsync(retrieve).DefaultTimeout();

        var frames = AwsEventStream.DecodeAll(await agentResponse.Content.ReadAsByteArrayAsync().DefaultTimeout());
        Assert.Equal(FakeBedrock.ChunkEvents(FakeBedrock.AgentChunks).Select(e => e.Payload), frames.Select(f => f.PayloadText));
        Assert.Equal("s-1", agentResponse.Headers.GetValues("x-amz-bedrock-agent-session-id").Single());
        Assert.Equal(FakeBedrock.RetrieveJson, await retrieveResponse.Content.ReadAsStringAsync().DefaultTimeout());
    }

    private static HttpRequestMessage SdkSigned(FakeBedrock bedrock, string operation, string modelId, string body) =>
        AwsSdkSigner.CreateSignedRequest(
            new Uri(bedrock.Origin),
            "/model/{modelId}/" + operation,
            new Dictionary<string, string> { ["{modelId}"] = modelId },
            body,
            bedrock.AccessKeyId,
            bedrock.SecretAccessKey,
            bedrock.SessionToken,
            bedrock.Region);

    /// <summary>
    /// SigV4 by the documented recipe, for a path already percent-encoded once: the canonical URI
    /// encodes each '%' again (non-S3 double encoding); only the final HMAC chain is left to the SDK.
    /// </summary>
    private static HttpRequestMessage HandSigned(FakeBedrock bedrock, string rawPath, string body)
    {
        var uri = new Uri(bedrock.Origin + rawPath);
        var now = DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        const string signedHeaders = "content-type;host;x-amz-date";
        var canonical = string.Join('\n',
            "POST",
            rawPath.Replace("%", "%25", StringComparison.Ordinal),
            "",
            "content-type:application/json",
            "host:" + uri.Authority,
            "x-amz-date:" + amzDate,
            "",
            signedHeaders,
            payloadHash);
        var signature = AWS4Signer.ComputeSignature(bedrock.AccessKeyId, bedrock.SecretAccessKey, bedrock.Region, now, FakeBedrock.SigningService, signedHeaders, canonical);

        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization", signature.ForAuthorizationHeader);
        return request;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string errorType, string message)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(errorType, response.Headers.GetValues("x-amzn-ErrorType").Single());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(message, json.RootElement.GetProperty("message").GetString());
    }
}
