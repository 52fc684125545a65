using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using OpenAI;
using OpenAI.Audio;
using OpenAI.Chat;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>The /openai route driven by the official OpenAI .NET SDK and by raw HTTP.</summary>
public sealed class OpenAiRouteTests : IAsyncLifetime
{
    private FakeUpstream _openAi = null!;
    private GatewayTestEnvironment _gateway = null!;

    public async Task InitializeAsync()
    {
        _openAi = await FakeUpstream.StartAsync(FakeOpenAi.HandleAsync);
        _gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"""
            pass_through_providers:
              openai: {"{"} api_key: os.environ/OPENAI_API_KEY, api_base: {_openAi.Origin} {"}"}
            """,
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = FakeOpenAi.ApiKey });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openAi.DisposeAsync();
    }

    private OpenAIClientOptions SdkOptions() => new()
    {
        Endpoint = new Uri(_gateway.BaseUri, "openai/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    [Fact]
    public async Task Sdk_chat_completion_reaches_provider_with_the_real_key_and_never_the_virtual_one()
    {
        var client = new ChatClient("gpt-4o-mini", new ApiKeyCredential(GatewayTestEnvironment.VirtualKey), SdkOptions());

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Say hello")]).DefaultTimeout();

        Assert.Equal("Hello from the fake", completion.Content[0].Text);
        var seen = _openAi.LastRequest;
        Assert.Equal("POST", seen.Method);
        Assert.Equal("/v1/chat/completions", seen.RawTarget);
        Assert.Equal("Bearer " + FakeOpenAi.ApiKey, seen.Header("Authorization"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
        Assert.Contains("Say hello", seen.BodyText);
    }

    [Fact]
    public async Task Sdk_streaming_chat_completion_arrives_chunk_by_chunk()
    {
        var client = new ChatClient("gpt-4o-mini", new ApiKeyCredential(GatewayTestEnvironment.VirtualKey), SdkOptions());
        var text = new StringBuilder();
        var updates = 0;

        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Say hello")]).WithCancellation(new CancellationTokenSource(TaskTimeoutExtensions.DefaultTimeoutSpan).Token))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("Hello", text.ToString());
        Assert.True(updates >= 3, $"expected several updates, got {updates}");
    }

    [Fact]
    public async Task Sdk_audio_transcription_uploads_multipart_through_the_gateway()
    {
        var client = new AudioClient("whisper-1", new ApiKeyCredential(GatewayTestEnvironment.VirtualKey), SdkOptions());
        using var audio = new MemoryStream(Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray());

        AudioTranscription transcription = await client.TranscribeAudioAsync(audio, "speech.wav").DefaultTimeout();

        Assert.Equal("heard 3000 bytes of speech.wav", transcription.Text);
        Assert.StartsWith("multipart/form-data; boundary=", _openAi.LastRequest.Header("Content-Type"));
    }

    [Fact]
    public async Task Request_and_response_bodies_are_forwarded_byte_for_byte()
    {
        // Odd spacing, key order, escapes and non-ASCII: anything re-serialised would change these bytes.
        var body = Encoding.UTF8.GetBytes("{ \"model\":\"gpt-4o-mini\",  \"messages\":[{\"role\":\"user\",\"content\":\"h\\u00e9llo \u00fc \ud83d\ude00\"}] ,\"stream\":false}\n");
        using var request = _gateway.Request(HttpMethod.Post, "openai/v1/chat/completions");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();
        var answer = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, _openAi.LastRequest.Body);
        Assert.Equal("application/json; charset=utf-8", _openAi.LastRequest.Header("Content-Type"));
        Assert.Equal(Encoding.UTF8.GetBytes(FakeOpenAi.CompletionJson), answer);
    }

    [Fact]
    public async Task Streamed_response_bytes_are_identical_to_the_providers()
    {
        using var request = _gateway.Request(HttpMethod.Post, "openai/v1/chat/completions");
        request.Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(string.Concat(FakeOpenAi.StreamEvents), text);
    }

    [Fact]
    public async Task Multipart_upload_reaches_the_provider_byte_identical_with_its_boundary()
    {
        using var form = new MultipartFormDataContent("tollgate-boundary-42");
        form.Add(new StringContent("whisper-1"), "model");
        form.Add(new ByteArrayContent(Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray()), "file", "clip.mp3");
        var bytes = await form.ReadAsByteArrayAsync().DefaultTimeout();
        using var request = _gateway.Request(HttpMethod.Post, "openai/v1/audio/transcriptions");
        request.Content = new ByteArrayContent(bytes);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=tollgate-boundary-42");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.True(HttpStatusCode.OK == response.StatusCode, _gateway.Logs.AllText);
        Assert.Equal("""{"text":"heard 5000 bytes of clip.mp3"}""", await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(bytes, _openAi.LastRequest.Body);
        Assert.Equal("multipart/form-data; boundary=tollgate-boundary-42", _openAi.LastRequest.Header("Content-Type"));
    }

    [Fact]
    public async Task Realtime_websocket_is_proxied_with_the_real_credential()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + GatewayTestEnvironment.VirtualKey);
        socket.Options.SetRequestHeader("OpenAI-Beta", "realtime=v1");
        var uri = new UriBuilder(_gateway.BaseUri) { Scheme = "ws", Path = "openai/v1/realtime", Query = "model=gpt-4o-realtime-preview" }.Uri;

        await socket.ConnectAsync(uri, CancellationToken.None).DefaultTimeout();
        var created = await ReceiveTextAsync(socket);
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"ping"}"""), WebSocketMessageType.Text, true, CancellationToken.None).DefaultTimeout();
        var echo = await ReceiveTextAsync(socket);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).DefaultTimeout();

        Assert.Equal("""{"type":"session.created"}""", created);
        Assert.Equal("""{"type":"response.echo","received":{"type":"ping"}}""", echo);
        var seen = _openAi.Requests.First(r => r.Path == "/v1/realtime");
        Assert.Equal("/v1/realtime?model=gpt-4o-realtime-preview", seen.RawTarget);
        Assert.Equal("Bearer " + FakeOpenAi.ApiKey, seen.Header("Authorization"));
        Assert.Equal("realtime=v1", seen.Header("OpenAI-Beta"));
    }

    [Fact]
    public async Task Provider_errors_pass_through_unchanged()
    {
        using var request = _gateway.Request(HttpMethod.Get, "openai/v1/does-not-exist");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"error":{"message":"Unknown request URL","type":"invalid_request_error","param":null,"code":"unknown_url"}}""",
            await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).DefaultTimeout();
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
