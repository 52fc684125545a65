using System.Net;
using System.Text;
using Anthropic;
using Anthropic.Models.Messages;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>The /anthropic route driven by the official Anthropic .NET SDK and by raw HTTP.</summary>
public sealed class AnthropicRouteTests : IAsyncLifetime
{
    private SingleProviderGateway _env = null!;

    private FakeUpstream Anthropic => _env.Upstream;

    private GatewayTestEnvironment Gateway => _env.Gateway;

    public async Task InitializeAsync() =>
        _env = await SingleProviderGateway.StartAsync("anthropic", FakeAnthropic.HandleAsync, FakeAnthropic.ApiKey).DefaultTimeout();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    private AnthropicClient SdkClient() => new()
    {
        BaseUrl = new Uri(Gateway.BaseUri, "anthropic").ToString(),
        ApiKey = GatewayTestEnvironment.VirtualKey,
        MaxRetries = 0,
    };

    private static MessageCreateParams SayHello() => new()
    {
        Model = "claude-sonnet-4-5",
        MaxTokens = 64,
        Messages = [new UserMessageParam("Say hello")],
    };

    [Fact]
    public async Task Sdk_message_create_reaches_provider_with_the_real_key_and_never_the_virtual_one()
    {
        var message = await SdkClient().Messages.Create(SayHello()).DefaultTimeout();

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.Equal("Hello from Claude", text.Text);
        Assert.Equal(12, message.Usage.InputTokens);
        Assert.Equal(3, message.Usage.CacheReadInputTokens);
        var seen = Anthropic.LastRequest;
        Assert.Equal("POST", seen.Method);
        Assert.Equal("/v1/messages", seen.RawTarget);
        Assert.Equal(FakeAnthropic.ApiKey, seen.Header("x-api-key"));
        Assert.False(string.IsNullOrEmpty(seen.Header("anthropic-version")));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
        Assert.Contains("Say hello", seen.BodyText);
    }

    [Fact]
    public async Task Sdk_streaming_message_arrives_event_by_event()
    {
        var text = new StringBuilder();
        var kinds = new List<string>();
        long? outputTokens = null;
        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.DefaultTimeoutSpan);

        await foreach (var streamEvent in SdkClient().Messages.CreateStreaming(SayHello(), timeout.Token))
        {
            if (streamEvent.TryPickStart(out _))
            {
                kinds.Add("message_start");
            }
            else if (streamEvent.TryPickContentBlockDelta(out var delta))
            {
                kinds.Add("content_block_delta");
                if (delta.Delta.TryPickText(out var textDelta))
                {
                    text.Append(textDelta.Text);
                }
            }
            else if (streamEvent.TryPickDelta(out var messageDelta))
            {
                kinds.Add("message_delta");
                outputTokens = messageDelta.Usage.OutputTokens;
            }
            else if (streamEvent.TryPickStop(out _))
            {
                kinds.Add("message_stop");
            }
        }

        Assert.Equal("Hello stream", text.ToString());
        Assert.Equal(["message_start", "content_block_delta", "content_block_delta", "content_block_delta", "message_delta", "message_stop"], kinds);
        Assert.Equal(3, outputTokens);
        Assert.Contains("\"stream\":true", Anthropic.LastRequest.BodyText);
    }

    [Fact]
    public async Task Streamed_sse_bytes_are_identical_to_the_providers()
    {
        using var request = AnthropicRequest("""{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        using var response = await Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(string.Concat(FakeAnthropic.StreamEvents), text);
    }

    [Fact]
    public async Task First_sse_event_reaches_the_client_before_the_provider_finishes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var holding = await SingleProviderGateway.StartAsync("anthropic", FakeAnthropic.HoldingStream(release.Task), FakeAnthropic.ApiKey).DefaultTimeout();
        using var request = holding.Gateway.Request(HttpMethod.Post, "anthropic/v1/messages");
        request.Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await holding.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().DefaultTimeout());
        var first = new StringBuilder();
        while (first.Length < FakeAnthropic.StreamEvents[0].Length)
        {
            first.Append(await reader.ReadLineAsync().DefaultTimeout()).Append('\n');
        }

        release.SetResult();
        var rest = await reader.ReadToEndAsync().DefaultTimeout();

        Assert.Equal(FakeAnthropic.StreamEvents[0], first.ToString());
        Assert.Equal(string.Concat(FakeAnthropic.StreamEvents.Skip(1)), rest);
    }

    [Fact]
    public async Task Virtual_key_in_x_api_key_is_swapped_and_version_and_beta_headers_are_kept()
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"claude-sonnet-4-5\",  \"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9 \\u00e9\"}]}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "anthropic/v1/messages") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("x-api-key", GatewayTestEnvironment.VirtualKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Headers.TryAddWithoutValidation("anthropic-beta", "prompt-caching-2024-07-31");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();
        var answer = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetBytes(FakeAnthropic.MessageJson), answer);
        Assert.Equal(FakeAnthropic.RequestId, response.Headers.GetValues("request-id").Single());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("x-litellm-call-id").Single()));
        var seen = Anthropic.LastRequest;
        Assert.Equal(body, seen.Body);
        Assert.Equal(FakeAnthropic.ApiKey, seen.Header("x-api-key"));
        Assert.Equal("2023-06-01", seen.Header("anthropic-version"));
        Assert.Equal("prompt-caching-2024-07-31", seen.Header("anthropic-beta"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task Request_without_a_virtual_key_is_refused_before_the_provider()
    {
        using var request = AnthropicRequest("""{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[]}""", key: null);

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"code\":\"401\"", await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Empty(Anthropic.Requests);
    }

    [Fact]
    public async Task Provider_authentication_error_reaches_the_client_unchanged()
    {
        await using var wrongKey = await SingleProviderGateway.StartAsync("anthropic", FakeAnthropic.HandleAsync, "sk-ant-revoked-0000").DefaultTimeout();
        using var request = new HttpRequestMessage(HttpMethod.Post, "anthropic/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("x-api-key", GatewayTestEnvironment.VirtualKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");

        using var response = await wrongKey.Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(FakeAnthropic.InvalidKeyJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("sk-ant-revoked-0000", wrongKey.Upstream.LastRequest.Header("x-api-key"));
    }

    private HttpRequestMessage AnthropicRequest(string json, string? key = GatewayTestEnvironment.VirtualKey)
    {
        var request = Gateway.Request(HttpMethod.Post, "anthropic/v1/messages", key);
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }
}
