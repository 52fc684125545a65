using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays api.anthropic.com: checks <c>x-api-key</c> against the real key, requires <c>anthropic-version</c>,
/// and answers <c>POST /v1/messages</c> as a JSON message or as Anthropic's named SSE events.
/// </summary>
public static class FakeAnthropic
{
    public const string ApiKey = "sk-ant-real-anthropic-7d2e";

    public const string RequestId = "req_fake_0001";

    public const string MessageJson =
        """{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello from Claude"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":4,"cache_read_input_tokens":3,"cache_creation_input_tokens":0}}""";

    public const string InvalidKeyJson =
        """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""";

    public static readonly string[] StreamEvents =
    [
        "event: message_start\ndata: " + """{"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1,"cache_read_input_tokens":0,"cache_creation_input_tokens":0}}}""" + "\n\n",
        "event: content_block_start\ndata: " + """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""" + "\n\n",
        "event: content_block_delta\ndata: " + """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}""" + "\n\n",
        "event: content_block_delta\ndata: " + """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo "}}""" + "\n\n",
        "event: content_block_delta\ndata: " + """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"stream"}}""" + "\n\n",
        "event: content_block_stop\ndata: " + """{"type":"content_block_stop","index":0}""" + "\n\n",
        "event: message_delta\ndata: " + """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}""" + "\n\n",
        "event: message_stop\ndata: " + """{"type":"message_stop"}""" + "\n\n",
    ];

    public static async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers["request-id"] = RequestId;
        if (context.Request.Headers["x-api-key"] != ApiKey)
        {
            await ErrorAsync(context, 401, InvalidKeyJson);
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Headers["anthropic-version"]))
        {
            await ErrorAsync(context, 400, """{"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version: header is required"}}""");
            return;
        }

        if (context.Request.Method != "POST" || context.Request.Path != "/v1/messages")
        {
            await ErrorAsync(context, 404, """{"type":"error","error":{"type":"not_found_error","message":"Not Found"}}""");
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        if (!body.RootElement.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(MessageJson);
            return;
        }

        context.Response.ContentType = "text/event-stream; charset=utf-8";
        foreach (var e in StreamEvents)
        {
            await context.Response.WriteAsync(e);
            await context.Response.Body.FlushAsync();
        }
    }

    /// <summary>Streams the first event, then holds the rest back until <paramref name="release"/> completes.</summary>
    public static RequestDelegate HoldingStream(Task release) => async context =>
    {
        if (context.Request.Headers["x-api-key"] != ApiKey)
        {
            await ErrorAsync(context, 401, InvalidKeyJson);
            return;
        }

        context.Response.ContentType = "text/event-stream; charset=utf-8";
        await context.Response.WriteAsync(StreamEvents[0]);
        await context.Response.Body.FlushAsync();
        await release;
        foreach (var e in StreamEvents.Skip(1))
        {
            await context.Response.WriteAsync(e);
        }
    };

    private static Task ErrorAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }
}
