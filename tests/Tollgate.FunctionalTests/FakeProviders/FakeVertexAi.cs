using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays a regional Vertex AI host: Gemini <c>generateContent</c>, <c>streamGenerateContent</c> (SSE
/// with <c>alt=sse</c>, else a streamed JSON array) and <c>countTokens</c>, and Anthropic partner models
/// <c>rawPredict</c> / <c>streamRawPredict</c>. Only bearer tokens that one of the given
/// <see cref="FakeGoogleTokenServer"/>s issued are accepted. Paths may sit under a first segment equal
/// to their location (<c>/europe-west4/v1/projects/…/locations/europe-west4/…</c>), so an <c>api_base</c>
/// of <c>http://127.0.0.1:port/{location}</c> plays one host per location on a single loopback server.
/// </summary>
public sealed partial class FakeVertexAi : IAsyncDisposable
{
    public const string GenerateContentJson =
        """{"candidates":[{"content":{"role":"model","parts":[{"text":"Hello from the fake Vertex"}]},"finishReason":"STOP","avgLogprobs":-0.1}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":5,"totalTokenCount":12},"modelVersion":"gemini-2.0-flash-001","createTime":"2025-01-01T00:00:00.000000Z","responseId":"fake-vertex-1"}""";

    /// <summary>One JSON object per streamed chunk; usage repeats cumulatively, the last one is final.</summary>
    public static readonly string[] StreamChunks =
    [
        """{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":1,"totalTokenCount":8},"modelVersion":"gemini-2.0-flash-001","createTime":"2025-01-01T00:00:00.000000Z","responseId":"fake-vertex-2"}""",
        """{"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]}}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":2,"totalTokenCount":9},"modelVersion":"gemini-2.0-flash-001","createTime":"2025-01-01T00:00:00.000000Z","responseId":"fake-vertex-2"}""",
        """{"candidates":[{"content":{"role":"model","parts":[{"text":"!"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":3,"totalTokenCount":10},"modelVersion":"gemini-2.0-flash-001","createTime":"2025-01-01T00:00:00.000000Z","responseId":"fake-vertex-2"}""",
    ];

    public const string CountTokensJson = """{"totalTokens":7,"totalBillableCharacters":26}""";

    public const string RawPredictJson =
        """{"id":"msg_vrtx_01","type":"message","role":"assistant","model":"claude-sonnet-4@20250514","content":[{"type":"text","text":"Hello from the fake Claude on Vertex"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":11,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":8}}""";

    /// <summary>Anthropic's Messages SSE, exactly as sent (each event ends with a blank line).</summary>
    public static readonly string[] StreamRawPredictEvents =
    [
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_vrtx_02\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4@20250514\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":11,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n",
        "event: ping\ndata: {\"type\":\"ping\"}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ];

    public const string UnauthenticatedJson =
        """{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}""";

    private readonly FakeGoogleTokenServer[] _tokens;
    private FakeUpstream? _upstream;

    private FakeVertexAi(FakeGoogleTokenServer[] tokens) => _tokens = tokens;

    /// <summary>The server's Kestrel app and every request it received (path, headers, body).</summary>
    public FakeUpstream Upstream => _upstream!;

    /// <summary><c>http://127.0.0.1:port</c>: what the gateway's <c>api_base</c> template should resolve to.</summary>
    public string Origin => Upstream.Origin;

    /// <summary>The <c>Host</c> header of every request, in arrival order.</summary>
    public ConcurrentQueue<string> Hosts { get; } = new();

    /// <param name="tokens">The token servers whose issued tokens are the only valid credentials.</param>
    public static async Task<FakeVertexAi> StartAsync(params FakeGoogleTokenServer[] tokens)
    {
        var fake = new FakeVertexAi(tokens);
        fake._upstream = await FakeUpstream.StartAsync(fake.HandleAsync).DefaultTimeout();
        return fake;
    }

    public ValueTask DisposeAsync() => _upstream?.DisposeAsync() ?? ValueTask.CompletedTask;

    [GeneratedRegex("^(/(?<host>[a-z0-9-]+))?/(v1|v1beta1)/projects/[^/]+/locations/(?<location>[^/]+)/publishers/(?<publisher>google|anthropic)/models/[^/:]+:(?<method>[A-Za-z]+)$")]
    private static partial Regex ModelMethod();

    private async Task HandleAsync(HttpContext context)
    {
        Hosts.Enqueue(context.Request.Host.Value ?? "");
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !Array.Exists(_tokens, t => t.IsIssued(authorization["Bearer ".Length..])))
        {
            await WriteJsonAsync(context, 401, UnauthenticatedJson);
            return;
        }

        var match = ModelMethod().Match(context.Request.Path.Value ?? "");
        var atItsHost = !match.Groups["host"].Success || match.Groups["host"].Value == match.Groups["location"].Value;
        var route = match.Success && atItsHost && HttpMethods.IsPost(context.Request.Method)
            ? (match.Groups["publisher"].Value, match.Groups["method"].Value)
            : default;
        switch (route)
        {
            case ("google", "generateContent"):
                await WriteJsonAsync(context, 200, GenerateContentJson);
                break;
            case ("google", "streamGenerateContent"):
                await StreamGenerateContentAsync(context);
                break;
            case ("google", "countTokens"):
                await WriteJsonAsync(context, 200, CountTokensJson);
                break;
            case ("anthropic", "rawPredict"):
                await RawPredictAsync(context, stream: false);
                break;
            case ("anthropic", "streamRawPredict"):
                await RawPredictAsync(context, stream: true);
                break;
            default:
                await WriteJsonAsync(context, 404, """{"error":{"code":404,"message":"The requested URL was not found on this server.","status":"NOT_FOUND"}}""");
                break;
        }
    }

    private static async Task StreamGenerateContentAsync(HttpContext context)
    {
        if (context.Request.Query["alt"] == "sse")
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var chunk in StreamChunks)
            {
                // Google ends each SSE event with CRLF CRLF, unlike most providers.
                await WriteAndFlushAsync(context, "data: " + chunk + "\r\n\r\n");
            }

            return;
        }

        // Without alt=sse Vertex streams one JSON array, an element per chunk.
        context.Response.ContentType = "application/json; charset=UTF-8";
        for (var i = 0; i < StreamChunks.Length; i++)
        {
            await WriteAndFlushAsync(context, (i == 0 ? "[" : ",\r\n") + StreamChunks[i]);
        }

        await WriteAndFlushAsync(context, "]");
    }

    private static async Task RawPredictAsync(HttpContext context, bool stream)
    {
        // Claude on Vertex takes the version in the body instead of the anthropic-version header.
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        if (!body.RootElement.TryGetProperty("anthropic_version", out _))
        {
            await WriteJsonAsync(context, 400, """{"type":"error","error":{"type":"invalid_request_error","message":"anthropic_version: Field required"}}""");
            return;
        }

        if (!stream)
        {
            await WriteJsonAsync(context, 200, RawPredictJson);
            return;
        }

        context.Response.ContentType = "text/event-stream; charset=utf-8";
        foreach (var e in StreamRawPredictEvents)
        {
            await WriteAndFlushAsync(context, e);
        }
    }

    private static async Task WriteAndFlushAsync(HttpContext context, string text)
    {
        await context.Response.WriteAsync(text);
        await context.Response.Body.FlushAsync();
    }

    private static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.WriteAsync(json);
    }
}
