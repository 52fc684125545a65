using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>WebSocket handshakes on /openai/v1/realtime: where the key may come from, what reaches OpenAI, who may connect.</summary>
public sealed class RealtimeWebSocketTests : IAsyncLifetime
{
    private const string AllowedOrigin = "https://app.example.com";
    private const string KeyProtocol = "openai-insecure-api-key.";

    private FakeUpstream _openAi = null!;
    private GatewayTestEnvironment _gateway = null!;

    public async Task InitializeAsync()
    {
        _openAi = await FakeUpstream.StartAsync(FakeOpenAi.HandleAsync);
        _gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            guardrails:
              - { name: codenames, kind: keywords, keywords: ["project falcon"] }
            pass_through_providers:
              openai: { api_key: os.environ/OPENAI_API_KEY, api_base: {{_openAi.Origin}} }
              azure: { api_key: azure-real, api_base: {{_openAi.Origin}}, guardrails: [codenames] }
            """,
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = FakeOpenAi.ApiKey },
            general: $"  allowed_websocket_origins: [\"{AllowedOrigin}\"]");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openAi.DisposeAsync();
    }

    [Fact]
    public async Task A_key_in_the_subprotocol_is_accepted_as_the_browser_sdk_sends_it_and_never_forwarded()
    {
        using var socket = Socket();
        socket.Options.AddSubProtocol("realtime");
        socket.Options.AddSubProtocol(KeyProtocol + GatewayTestEnvironment.VirtualKey);

        await socket.ConnectAsync(RealtimeUri(), CancellationToken.None).DefaultTimeout();
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).DefaultTimeout();

        Assert.Equal("realtime", socket.SubProtocol);
        var seen = _openAi.Requests.Single(r => r.Path == "/v1/realtime");
        Assert.Equal("realtime", seen.Header("Sec-WebSocket-Protocol"));
        Assert.Equal("Bearer " + FakeOpenAi.ApiKey, seen.Header("Authorization"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task A_key_in_the_subprotocol_beside_another_carrier_is_never_forwarded()
    {
        using var socket = Socket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + GatewayTestEnvironment.VirtualKey);
        socket.Options.AddSubProtocol("realtime");
        socket.Options.AddSubProtocol(KeyProtocol + GatewayTestEnvironment.VirtualKey);

        await socket.ConnectAsync(RealtimeUri(), CancellationToken.None).DefaultTimeout();
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).DefaultTimeout();

        var seen = _openAi.Requests.Single(r => r.Path == "/v1/realtime");
        Assert.Equal("realtime", seen.Header("Sec-WebSocket-Protocol"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(AllowedOrigin, true)]
    [InlineData("https://evil.example", false)]
    [InlineData("null", false)]
    public async Task A_browser_origin_must_be_allowed_and_a_client_without_one_may_connect(string? origin, bool allowed)
    {
        using var socket = Socket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + GatewayTestEnvironment.VirtualKey);
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        var connecting = socket.ConnectAsync(RealtimeUri(), CancellationToken.None);
        if (allowed)
        {
            await connecting.DefaultTimeout();
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).DefaultTimeout();
        }
        else
        {
            await Assert.ThrowsAsync<WebSocketException>(() => connecting.DefaultTimeout());
            Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
            Assert.Empty(_openAi.Requests);
        }
    }

    [Theory]
    [InlineData("""{"max_budget":10}""")]
    [InlineData("""{"tpm_limit":1000}""")]
    [InlineData("""{"models":["gpt-4o-realtime-preview"]}""")]
    public async Task A_key_whose_limits_need_metering_cannot_open_a_session_until_sessions_are_metered(string settings)
    {
        var key = (await _gateway.GenerateKeyAsync(settings)).GetProperty("key").GetString()!;
        using var request = _gateway.Request(HttpMethod.Get, "openai/v1/realtime?model=gpt-4o-realtime-preview", key);
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout()).RootElement.GetProperty("error");
        Assert.Equal("forbidden", error.GetProperty("type").GetString());
        Assert.Contains("not metered", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_openAi.Requests);
    }

    [Theory]
    [InlineData("openai/v1/realtime?model=gpt-4o-realtime-preview", """{"guardrails":["codenames"]}""")]
    [InlineData("azure/openai/realtime?deployment=gpt-4o-realtime-preview", "{}")]
    public async Task A_call_that_guardrails_apply_to_cannot_open_a_session_whose_frames_they_would_not_see(string path, string settings)
    {
        var key = (await _gateway.GenerateKeyAsync(settings)).GetProperty("key").GetString()!;
        using var socket = Socket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        var uri = new UriBuilder(_gateway.BaseUri) { Scheme = "ws" };
        var query = path.IndexOf('?', StringComparison.Ordinal);
        uri.Path = path[..query];
        uri.Query = path[(query + 1)..];

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri.Uri, CancellationToken.None).DefaultTimeout());

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
        Assert.Empty(_openAi.Requests);
    }

    private static ClientWebSocket Socket()
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        return socket;
    }

    private Uri RealtimeUri() =>
        new UriBuilder(_gateway.BaseUri) { Scheme = "ws", Path = "openai/v1/realtime", Query = "model=gpt-4o-realtime-preview" }.Uri;
}
