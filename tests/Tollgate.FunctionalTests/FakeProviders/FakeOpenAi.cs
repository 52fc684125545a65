using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays api.openai.com: checks <c>Authorization: Bearer</c> against the real key and answers chat
/// completions (JSON, or SSE with a final usage chunk), transcriptions, model lists and the Realtime
/// WebSocket in OpenAI's shapes.
/// </summary>
public static class FakeOpenAi
{
    public const string ApiKey = "sk-real-openai-5f1c";

    public const string CompletionJson =
        """{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the fake"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}""";

    public static readonly string[] StreamEvents =
    [
        """data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""" + "\n\n",
        """data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}""" + "\n\n",
        """data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n",
        """data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""" + "\n\n",
        "data: [DONE]\n\n",
    ];

    public static async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization != "Bearer " + ApiKey)
        {
            context.Response.StatusCode = 401;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""");
            return;
        }

        switch (context.Request.Path.Value)
        {
            case "/v1/chat/completions":
                await ChatCompletionsAsync(context);
                break;
            case "/v1/audio/transcriptions":
                var form = await context.Request.ReadFormAsync();
                var file = form.Files["file"];
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(new { text = $"heard {file?.Length ?? 0} bytes of {file?.FileName}" }));
                break;
            case "/v1/models":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1700000000,"owned_by":"openai"}]}""");
                break;
            case "/v1/realtime" when context.WebSockets.IsWebSocketRequest:
                await RealtimeAsync(context);
                break;
            default:
                context.Response.StatusCode = 404;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":{"message":"Unknown request URL","type":"invalid_request_error","param":null,"code":"unknown_url"}}""");
                break;
        }
    }

    private static async Task ChatCompletionsAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var stream = body.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(CompletionJson);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        foreach (var e in StreamEvents)
        {
            await context.Response.WriteAsync(e);
            await context.Response.Body.FlushAsync();
        }
    }

    /// <summary>Echoes each client event back inside a <c>response.echo</c> event.</summary>
    private static async Task RealtimeAsync(HttpContext context)
    {
        // Picks "realtime" when offered, as OpenAI does; a client that offers protocols needs one chosen.
        var protocol = context.WebSockets.WebSocketRequestedProtocols.Contains("realtime") ? "realtime" : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
        await SendAsync(socket, """{"type":"session.created"}""");
        var buffer = new byte[4096];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            await SendAsync(socket, $$"""{"type":"response.echo","received":{{Encoding.UTF8.GetString(buffer, 0, result.Count)}}}""");
        }
    }

    private static Task SendAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
}
