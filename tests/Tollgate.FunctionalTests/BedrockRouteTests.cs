using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tollgate.Configuration;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>
/// The /bedrock route. Clients sign with their own AWS credentials, as the AWS SDKs always do (the
/// requests here are built and signed by AWSSDK.Core's signer, the way AWSSDK.BedrockRuntime would);
/// the gateway must drop that signature, re-sign with its credentials over the exact bytes it sends,
/// and stream AWS event-stream answers back unchanged.
/// </summary>
public sealed class BedrockRouteTests
{
    private const string ConverseBody = """{"messages":[{"role":"user","content":[{"text":"Gr\u00fc\u00df dich"}]}],"inferenceConfig":{"maxTokens":16}}""";
    private const string HaikuModel = "anthropic.claude-3-5-haiku-20241022-v1:0";
    private const string ProfileArn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
    private const string SessionToken = "FwoGZXIvYXdzEFAKE//gateway+session==";

    // What the client's SDK signs with: credentials the provider has never heard of.
    private const string ClientAccessKeyId = "AKIACLIENTSOWNKEY000";
    private const string ClientSecret = "client/own/secret/that/aws/would/refuse0";

    [Theory]
    [InlineData(HaikuModel)]
    [InlineData(ProfileArn)]
    public async Task Converse_signed_by_the_client_is_re_signed_with_the_gateways_credentials(string modelId)
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock);
        using var request = SdkRequest(gateway, "converse", modelId, ConverseBody);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections) + gateway.Logs.AllText);
        Assert.Equal(FakeBedrock.ConverseJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal([modelId], bedrock.ModelIds);
        var seen = bedrock.Upstream.LastRequest;
        Assert.Equal(Encoding.UTF8.GetBytes(ConverseBody), seen.Body);
        Assert.Contains($"Credential={FakeBedrock.DefaultAccessKeyId}/", seen.Header("Authorization"), StringComparison.Ordinal);
        Assert.DoesNotContain(ClientAccessKeyId, seen.Everything, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything, StringComparison.Ordinal);
        if (modelId == ProfileArn)
        {
            // The ARN stays one path segment, its '/' still %2F, and was signed in that form.
            Assert.Contains("application-inference-profile%2Fabc123/converse", seen.RawTarget, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_signed_body_is_counted_while_held_and_given_back_after()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock);
        var body = ConverseBody.Replace("Gr\\u00fc\\u00df dich", new string('a', 2 * 1024 * 1024), StringComparison.Ordinal);
        using var request = SdkRequest(gateway, "converse", HaikuModel, body);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
        Assert.Equal(Encoding.UTF8.GetBytes(body), bedrock.Upstream.LastRequest.Body);
        Assert.True(body.Length > 2 * 1024 * 1024);
        await gateway.MetricsWhenAsync("tollgate_buffered_request_bytes 0\n");
    }

    [Fact]
    public async Task Virtual_key_as_a_bearer_token_works_like_a_bedrock_api_key()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"bedrock/model/{HaikuModel}/converse")
        {
            Content = new StringContent(ConverseBody, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + GatewayTestEnvironment.VirtualKey);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
        Assert.StartsWith("AWS4-HMAC-SHA256 ", bedrock.Upstream.LastRequest.Header("Authorization"), StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, bedrock.Upstream.LastRequest.Everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_signature_is_not_a_virtual_key()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock);
        using var request = SdkRequest(gateway, "converse", HaikuModel, ConverseBody, virtualKey: null);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(bedrock.Upstream.Requests);
    }

    [Fact]
    public async Task Client_x_amz_headers_are_dropped_and_the_gateways_session_token_is_signed()
    {
        await using var bedrock = await FakeBedrock.StartAsync(sessionToken: SessionToken).DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock, $"aws_session_token: \"{SessionToken}\"");
        using var request = SdkRequest(gateway, "converse", HaikuModel, ConverseBody, clientSessionToken: "client-session-token");
        request.Headers.TryAddWithoutValidation("X-Amz-User-Agent", "aws-sdk-dotnet/4");
        request.Headers.TryAddWithoutValidation("x-pass-x-amz-date", "20000101T000000Z");
        request.Headers.TryAddWithoutValidation("X-Amzn-Bedrock-Trace", "ENABLED");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
        var seen = bedrock.Upstream.LastRequest;
        Assert.Equal(SessionToken, seen.Header("x-amz-security-token"));
        Assert.Null(seen.Header("X-Amz-User-Agent"));
        Assert.DoesNotContain("client-session-token", seen.Everything, StringComparison.Ordinal);
        Assert.DoesNotContain("20000101T000000Z", seen.Everything, StringComparison.Ordinal);
        // Bedrock's own request options (x-amzn-, not x-amz-) are the client's to set.
        Assert.Equal("ENABLED", seen.Header("X-Amzn-Bedrock-Trace"));
    }

    [Fact]
    public async Task ConverseStream_frames_reach_the_client_byte_for_byte()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock);
        using var request = SdkRequest(gateway, "converse-stream", ProfileArn, ConverseBody);

        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var bytes = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
        Assert.Equal(FakeBedrock.EventStreamContentType, response.Content.Headers.ContentType?.MediaType);
        var expected = FakeBedrock.ConverseStreamEvents.SelectMany(e => AwsEventStream.EncodeEvent(e.EventType, e.Payload)).ToArray();
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public async Task InvokeModelWithResponseStream_chunk_frames_reach_the_client_byte_for_byte()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock);
        using var request = SdkRequest(gateway, "invoke-with-response-stream", HaikuModel, """{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[]}""");

        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var bytes = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
        var expected = FakeBedrock.ChunkEvents(FakeBedrock.InvokeAnthropicStreamChunks)
            .SelectMany(e => AwsEventStream.EncodeEvent(e.EventType, e.Payload)).ToArray();
        Assert.Equal(expected, bytes);
        Assert.Equal("application/json", response.Headers.GetValues("X-Amzn-Bedrock-Content-Type").Single());
    }

    [Fact]
    public async Task Event_stream_frames_arrive_while_the_provider_still_holds_the_rest_back()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var verifier = new SigV4Verifier(FakeBedrock.DefaultAccessKeyId, FakeBedrock.DefaultSecretAccessKey, null, FakeBedrock.DefaultRegion, "bedrock", TimeProvider.System);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
            if (verifier.Check(context.Request, rawTarget, ((MemoryStream)context.Request.Body).ToArray()) is { } rejection)
            {
                context.Response.StatusCode = 403;
                await context.Response.WriteAsync(rejection.Message);
                return;
            }

            context.Response.ContentType = FakeBedrock.EventStreamContentType;
            await context.Response.Body.WriteAsync(AwsEventStream.EncodeEvent("messageStart", """{"role":"assistant"}"""));
            await context.Response.Body.FlushAsync();
            await release.Task;
            await context.Response.Body.WriteAsync(AwsEventStream.EncodeEvent("messageStop", """{"stopReason":"end_turn"}"""));
        });
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(BedrockConfig(upstream.Origin, upstream.Origin));
        using var request = SdkRequest(gateway, "converse-stream", HaikuModel, ConverseBody);

        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        await using var stream = await response.Content.ReadAsStreamAsync().DefaultTimeout();
        var first = AwsEventStream.EncodeEvent("messageStart", """{"role":"assistant"}""");
        var received = new byte[first.Length];
        await stream.ReadExactlyAsync(received).AsTask().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(first, received);
        release.SetResult();
        var rest = new MemoryStream();
        await stream.CopyToAsync(rest).DefaultTimeout();
        Assert.Equal("messageStop", AwsEventStream.DecodeAll(rest.ToArray()).Single().EventType);
    }

    [Fact]
    public async Task InvokeModel_answer_and_token_count_headers_pass_through()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock);
        using var request = SdkRequest(gateway, "invoke", "meta.llama3-8b-instruct-v1:0", """{"prompt":"hi","max_gen_len":16}""");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
        Assert.Equal(FakeBedrock.InvokeLlamaJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("10", response.Headers.GetValues("X-Amzn-Bedrock-Input-Token-Count").Single());
        Assert.Equal("5", response.Headers.GetValues("X-Amzn-Bedrock-Output-Token-Count").Single());
    }

    [Fact]
    public async Task A_chunked_body_is_signed_over_the_bytes_sent()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"bedrock/model/{HaikuModel}/converse")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(ConverseBody))),
        };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation("x-litellm-api-key", GatewayTestEnvironment.VirtualKey);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
        Assert.Equal(Encoding.UTF8.GetBytes(ConverseBody), bedrock.Upstream.LastRequest.Body);
        Assert.Equal(ConverseBody.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), bedrock.Upstream.LastRequest.Header("Content-Length"));
    }

    [Fact]
    public async Task A_get_with_a_query_is_signed_with_the_empty_payload_and_its_query()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock);
        using var request = new HttpRequestMessage(HttpMethod.Get, "bedrock/async-invoke?maxResults=5&statusEquals=Completed&sortOrder=Descending");
        request.Headers.TryAddWithoutValidation("x-litellm-api-key", GatewayTestEnvironment.VirtualKey);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        // The fake knows no such operation, but only says so once the signature holds.
        Assert.Empty(bedrock.Rejections);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("/async-invoke?maxResults=5&statusEquals=Completed&sortOrder=Descending", bedrock.Upstream.LastRequest.RawTarget);
        Assert.Null(bedrock.Upstream.LastRequest.Header("Content-Length"));
    }

    [Theory]
    [InlineData("agents/AGENT1/agentAliases/ALIAS1/sessions/session-7/text", """{"inputText":"hello"}""")]
    [InlineData("knowledgebases/KB1/retrieve", """{"retrievalQuery":{"text":"hello"}}""")]
    public async Task Agent_runtime_paths_go_to_the_agent_api_base(string path, string body)
    {
        await using var runtime = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var agents = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(BedrockConfig(runtime.Origin, agents.Origin));
        using var request = new HttpRequestMessage(HttpMethod.Post, "bedrock/" + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("x-litellm-api-key", GatewayTestEnvironment.VirtualKey);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        var answer = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", agents.Rejections));
        Assert.Empty(runtime.Upstream.Requests);
        Assert.Equal("/" + path, agents.Upstream.LastRequest.RawTarget);
        if (path.StartsWith("agents/", StringComparison.Ordinal))
        {
            Assert.Equal(FakeBedrock.AgentChunks, AwsEventStream.DecodeAll(answer).Select(f => Encoding.UTF8.GetString(Convert.FromBase64String(
                JsonDocument.Parse(f.PayloadText).RootElement.GetProperty("bytes").GetString()!))));
        }
        else
        {
            Assert.Equal(FakeBedrock.RetrieveJson, Encoding.UTF8.GetString(answer));
        }
    }

    [Fact]
    public async Task The_region_goes_into_the_host_template_and_the_signature_scope()
    {
        await using var bedrock = await FakeBedrock.StartAsync(region: "eu-west-3").DefaultTimeout();
        var port = new Uri(bedrock.Origin).Port;
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"""
            pass_through_providers:
              bedrock:
                aws_access_key_id: {FakeBedrock.DefaultAccessKeyId}
                aws_secret_access_key: {FakeBedrock.DefaultSecretAccessKey}
                aws_region_name: eu-west-3
                api_base: "http://127.0.0.1:{port}/{"{region}"}"
            """);
        using var request = SdkRequest(gateway, "converse", HaikuModel, ConverseBody);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        // The fake serves no /eu-west-3 prefix: a 404 after a valid signature shows both the URL and the scope.
        Assert.Empty(bedrock.Rejections);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("/eu-west-3/model/", bedrock.Upstream.LastRequest.RawTarget, StringComparison.Ordinal);
        Assert.Contains("/eu-west-3/bedrock/aws4_request", bedrock.Upstream.LastRequest.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_and_region_come_from_the_aws_environment_variables()
    {
        await using var bedrock = await FakeBedrock.StartAsync(sessionToken: SessionToken, region: "us-west-2").DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"""
            pass_through_providers:
              bedrock: {"{"} api_base: "{bedrock.Origin}" {"}"}
            """,
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = FakeBedrock.DefaultAccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = FakeBedrock.DefaultSecretAccessKey,
                ["AWS_SESSION_TOKEN"] = SessionToken,
                ["AWS_REGION"] = "us-west-2",
            });
        using var request = SdkRequest(gateway, "converse", HaikuModel, ConverseBody);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections));
    }

    [Fact]
    public async Task Provider_refusal_passes_through_unchanged_and_no_credential_is_logged()
    {
        await using var bedrock = await FakeBedrock.StartAsync(sessionToken: SessionToken).DefaultTimeout();
        const string WrongSecret = "wrong/secret/the/gateway/was/given/00000";
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"""
            pass_through_providers:
              bedrock:
                aws_access_key_id: {FakeBedrock.DefaultAccessKeyId}
                aws_secret_access_key: "{WrongSecret}"
                aws_session_token: "{SessionToken}"
                aws_region_name: us-east-1
                api_base: "{bedrock.Origin}"
            """);
        using var request = SdkRequest(gateway, "converse", HaikuModel, ConverseBody);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("InvalidSignatureException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Contains(SigV4Verifier.MismatchMessage, body, StringComparison.Ordinal);
        await gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RequestForwarded).DefaultTimeout();
        var logs = gateway.Logs.AllText;
        Assert.DoesNotContain(WrongSecret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(SessionToken, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_credentials_the_route_answers_500_naming_the_settings()
    {
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("");
        using var request = gateway.Request(HttpMethod.Post, $"bedrock/model/{HaikuModel}/converse");
        request.Content = new StringContent(ConverseBody, Encoding.UTF8, "application/json");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout()).RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Contains("aws_access_key_id", message, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws_access_key_id: AKIAONLYTHEID000000", "aws_secret_access_key: required")]
    [InlineData("aws_access_key_id: AKIA0000000000000000, aws_secret_access_key: s, aws_region_name: \"evil.com/x\"", "aws_region_name: 'evil.com/x' is not a region name")]
    public async Task Half_credentials_and_bad_regions_stop_the_start(string fields, string expected)
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() =>
            GatewayTestEnvironment.StartWithKeysAsync($$"""
                pass_through_providers:
                  bedrock: { {{fields}} }
                """));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_gives_413_without_contacting_the_provider()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            BedrockConfig(bedrock.Origin, bedrock.Origin), general: "  max_request_size_mb: 0.001");
        using var request = gateway.Request(HttpMethod.Post, $"bedrock/model/{HaikuModel}/converse");
        request.Content = new StreamContent(new MemoryStream(new byte[8192]));
        request.Headers.TransferEncodingChunked = true;

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("request_too_large", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Empty(bedrock.Upstream.Requests);
    }

    private static Task<GatewayTestEnvironment> GatewayFor(FakeBedrock bedrock, string extra = "") =>
        GatewayTestEnvironment.StartWithKeysAsync(BedrockConfig(bedrock.Origin, bedrock.Origin, extra));

    private static string BedrockConfig(string runtimeOrigin, string agentOrigin, string extra = "") =>
        $"""
        pass_through_providers:
          {FakeBedrock.ProviderEntry(runtimeOrigin, $"agent_api_base: \"{agentOrigin}\"", extra)}
        """;

    /// <summary>A runtime call as an AWS SDK pointed at the gateway sends it: signed with the client's own credentials.</summary>
    private static HttpRequestMessage SdkRequest(
        GatewayTestEnvironment gateway, string operation, string modelId, string body,
        string? virtualKey = GatewayTestEnvironment.VirtualKey, string? clientSessionToken = null)
    {
        var request = AwsSdkSigner.CreateSignedRequest(
            new Uri(gateway.BaseUri, "bedrock"), $"/model/{{modelId}}/{operation}", new Dictionary<string, string> { ["{modelId}"] = modelId },
            body, ClientAccessKeyId, ClientSecret, clientSessionToken, FakeBedrock.DefaultRegion);
        if (virtualKey is not null)
        {
            request.Headers.TryAddWithoutValidation("x-litellm-api-key", virtualKey);
        }

        return request;
    }
}
