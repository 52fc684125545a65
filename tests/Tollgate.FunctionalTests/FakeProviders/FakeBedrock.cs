using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays bedrock-runtime and bedrock-agent-runtime on one port: Converse (JSON and event-stream),
/// InvokeModel (model-family JSON with token-count headers), InvokeModelWithResponseStream
/// (event-stream <c>chunk</c> frames), InvokeAgent and Retrieve. Every request must carry a SigV4
/// signature (service <c>bedrock</c>) that <see cref="SigV4Verifier"/> accepts for the configured
/// credentials, computed over the request exactly as received; otherwise 403 as AWS answers.
/// </summary>
public sealed class FakeBedrock : IAsyncDisposable
{
    public const string DefaultAccessKeyId = "AKIAFAKEBEDROCK00001";
    public const string DefaultSecretAccessKey = "fake/bedrock/secret/key/0000000000000000";
    public const string DefaultRegion = "us-east-1";
    public const string SigningService = "bedrock";
    public const string EventStreamContentType = "application/vnd.amazon.eventstream";

    /// <summary>
    /// The <c>bedrock:</c> entry of <c>pass_through_providers</c> with the default credentials and region, for a
    /// line indented two spaces: <paramref name="extra"/> holds further fields, each on its own line.
    /// </summary>
    public static string ProviderEntry(string apiBase, params string[] extra) =>
        "bedrock:\n"
        + $"    aws_access_key_id: {DefaultAccessKeyId}\n"
        + $"    aws_secret_access_key: {DefaultSecretAccessKey}\n"
        + $"    aws_region_name: {DefaultRegion}\n"
        + $"    api_base: \"{apiBase}\""
        + string.Concat(extra.Select(line => "\n    " + line));

    public const string ConverseJson =
        """{"output":{"message":{"role":"assistant","content":[{"text":"Hello from the fake Bedrock"}]}},"stopReason":"end_turn","usage":{"inputTokens":9,"outputTokens":6,"totalTokens":15},"metrics":{"latencyMs":321}}""";

    /// <summary>ConverseStream's events in order, as (<c>:event-type</c>, JSON payload).</summary>
    public static readonly (string EventType, string Payload)[] ConverseStreamEvents =
    [
        ("messageStart", """{"role":"assistant"}"""),
        ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hel"}}"""),
        ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"lo"}}"""),
        ("contentBlockStop", """{"contentBlockIndex":0}"""),
        ("messageStop", """{"stopReason":"end_turn"}"""),
        ("metadata", """{"usage":{"inputTokens":9,"outputTokens":2,"totalTokens":11},"metrics":{"latencyMs":123}}"""),
    ];

    /// <summary>InvokeModel's answer for Anthropic models (and for ARNs/profiles, whose family the path does not tell).</summary>
    public const string InvokeAnthropicJson =
        """{"id":"msg_bdrk_01","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"Hello from the fake Claude on Bedrock"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":8}}""";

    /// <summary>InvokeModel's answer for <c>meta.*</c> models.</summary>
    public const string InvokeLlamaJson =
        """{"generation":"Hello from the fake Llama","prompt_token_count":10,"generation_token_count":5,"stop_reason":"stop"}""";

    /// <summary>The model's own stream chunks that InvokeModelWithResponseStream wraps, base64, in <c>chunk</c> frames (Anthropic).</summary>
    public static readonly string[] InvokeAnthropicStreamChunks =
    [
        """{"type":"message_start","message":{"id":"msg_bdrk_02","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}""",
        """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}""",
        """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}""",
        """{"type":"content_block_stop","index":0}""",
        """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}""",
        """{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":10,"outputTokenCount":2,"invocationLatency":321,"firstByteLatency":120}}""",
    ];

    /// <summary>As <see cref="InvokeAnthropicStreamChunks"/>, for <c>meta.*</c> models.</summary>
    public static readonly string[] InvokeLlamaStreamChunks =
    [
        """{"generation":"Hel","prompt_token_count":10,"generation_token_count":1,"stop_reason":null}""",
        """{"generation":"lo","prompt_token_count":null,"generation_token_count":2,"stop_reason":"stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":10,"outputTokenCount":2,"invocationLatency":321,"firstByteLatency":120}}""",
    ];

    /// <summary>The text InvokeAgent streams back, one <c>chunk</c> frame per element.</summary>
    public static readonly string[] AgentChunks = ["The agent ", "says hello."];

    public const string RetrieveJson =
        """{"retrievalResults":[{"content":{"text":"Tollgate forwards bodies byte for byte."},"location":{"type":"S3","s3Location":{"uri":"s3://fake-kb/tollgate.txt"}},"score":0.87}]}""";

    private readonly SigV4Verifier _verifier;
    private FakeUpstream? _upstream;

    private FakeBedrock(SigV4Verifier verifier, string accessKeyId, string secretAccessKey, string? sessionToken, string region)
    {
        _verifier = verifier;
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = sessionToken;
        Region = region;
    }

    /// <summary>The server's Kestrel app and every request it received (raw target, headers, body).</summary>
    public FakeUpstream Upstream => _upstream!;

    /// <summary><c>http://127.0.0.1:port</c>: what the gateway's <c>api_base</c> and <c>agent_api_base</c> should resolve to.</summary>
    public string Origin => Upstream.Origin;

    public string AccessKeyId { get; }

    public string SecretAccessKey { get; }

    /// <summary>When set, requests must carry it as <c>x-amz-security-token</c>; when null, they must not.</summary>
    public string? SessionToken { get; }

    /// <summary>The region the Credential scope must name.</summary>
    public string Region { get; }

    /// <summary>Model IDs of <c>model/{id}/…</c> calls that passed the signature check, percent-decoded (an ARN comes out whole).</summary>
    public ConcurrentQueue<string> ModelIds { get; } = new();

    /// <summary>Every refused signature with AWS's reason and the canonical request expected, to explain a failing test.</summary>
    public ConcurrentQueue<SigV4Rejection> Rejections { get; } = new();

    /// <param name="time">The clock that judges <c>x-amz-date</c> (±5 minutes); share the gateway's fake clock if it has one.</param>
    public static async Task<FakeBedrock> StartAsync(
        string accessKeyId = DefaultAccessKeyId,
        string secretAccessKey = DefaultSecretAccessKey,
        string? sessionToken = null,
        string region = DefaultRegion,
        TimeProvider? time = null)
    {
        var verifier = new SigV4Verifier(accessKeyId, secretAccessKey, sessionToken, region, SigningService, time ?? TimeProvider.System);
        var fake = new FakeBedrock(verifier, accessKeyId, secretAccessKey, sessionToken, region);
        fake._upstream = await FakeUpstream.StartAsync(fake.HandleAsync).DefaultTimeout();
        return fake;
    }

    /// <summary>The <c>chunk</c> event wrapping: <c>{"bytes":"&lt;base64 of the inner bytes&gt;"}</c>.</summary>
    public static (string EventType, string Payload)[] ChunkEvents(IEnumerable<string> chunks) =>
        // Interpolated, not serialised: System.Text.Json would escape base64's '+' as \u002B, which AWS does not.
        [.. chunks.Select(c => ("chunk", $$"""{"bytes":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes(c))}}"}"""))];

    public ValueTask DisposeAsync() => _upstream?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        // FakeUpstream has already buffered the body into a MemoryStream; these are the bytes received.
        var body = ((MemoryStream)context.Request.Body).ToArray();
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();

        var rejection = _verifier.Check(context.Request, rawTarget, body);
        if (rejection is not null)
        {
            Rejections.Enqueue(rejection);
            context.Response.Headers["x-amzn-ErrorType"] = rejection.ErrorType;
            await WriteJsonAsync(context, 403, JsonSerializer.Serialize(new { message = rejection.Message }));
            return;
        }

        // Route on the raw target so an ARN's encoded '/' (%2F) keeps the model ID in one segment.
        var queryAt = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var segments = (queryAt < 0 ? rawTarget : rawTarget[..queryAt]).Split('/');
        var post = HttpMethods.IsPost(context.Request.Method);
        switch (segments)
        {
            case ["", "model", var id, var operation] when post:
                var modelId = Uri.UnescapeDataString(id);
                ModelIds.Enqueue(modelId);
                await ModelAsync(context, modelId, operation);
                break;
            case ["", "agents", _, "agentAliases", _, "sessions", var sessionId, "text"] when post:
                await InvokeAgentAsync(context, Uri.UnescapeDataString(sessionId));
                break;
            case ["", "knowledgebases", _, "retrieve"] when post:
                await WriteJsonAsync(context, 200, RetrieveJson);
                break;
            default:
                await UnknownOperationAsync(context);
                break;
        }
    }

    private static async Task ModelAsync(HttpContext context, string modelId, string operation)
    {
        var llama = modelId.StartsWith("meta.", StringComparison.Ordinal) || modelId.Contains(".meta.", StringComparison.Ordinal);
        switch (operation)
        {
            case "converse":
                await WriteJsonAsync(context, 200, ConverseJson);
                break;
            case "converse-stream":
                await WriteEventStreamAsync(context, ConverseStreamEvents);
                break;
            case "invoke":
                context.Response.Headers["X-Amzn-Bedrock-Input-Token-Count"] = "10";
                context.Response.Headers["X-Amzn-Bedrock-Output-Token-Count"] = llama ? "5" : "8";
                context.Response.Headers["X-Amzn-Bedrock-Invocation-Latency"] = "321";
                await WriteJsonAsync(context, 200, llama ? InvokeLlamaJson : InvokeAnthropicJson);
                break;
            case "invoke-with-response-stream":
                context.Response.Headers["X-Amzn-Bedrock-Content-Type"] = "application/json";
                await WriteEventStreamAsync(context, ChunkEvents(llama ? InvokeLlamaStreamChunks : InvokeAnthropicStreamChunks));
                break;
            default:
                await UnknownOperationAsync(context);
                break;
        }
    }

    private static Task InvokeAgentAsync(HttpContext context, string sessionId)
    {
        context.Response.Headers["x-amzn-bedrock-agent-content-type"] = "application/json";
        context.Response.Headers["x-amz-bedrock-agent-session-id"] = sessionId;
        return WriteEventStreamAsync(context, ChunkEvents(AgentChunks));
    }

    private static async Task WriteEventStreamAsync(HttpContext context, IEnumerable<(string EventType, string Payload)> events)
    {
        context.Response.ContentType = EventStreamContentType;
        foreach (var (eventType, payload) in events)
        {
            await context.Response.Body.WriteAsync(AwsEventStream.EncodeEvent(eventType, payload));
            await context.Response.Body.FlushAsync();
        }
    }

    private static Task UnknownOperationAsync(HttpContext context)
    {
        context.Response.Headers["x-amzn-ErrorType"] = "UnknownOperationException";
        return WriteJsonAsync(context, 404, """{"message":"Unknown operation"}""");
    }

    private static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }
}
