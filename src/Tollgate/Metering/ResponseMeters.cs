using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tollgate.Metering.Meters;
using Tollgate.Metering.Usage;

namespace Tollgate.Metering;

/// <summary>
/// Picks the meter for one provider response: the reader from the route's <see cref="UsageDialect"/>
/// and the path, the framing from the response's <c>Content-Type</c>.
/// </summary>
/// <remarks>
/// <para>Readers by dialect and path (the path after the route prefix, query ignored):</para>
/// <list type="bullet">
/// <item><see cref="UsageDialect.OpenAi"/>, <see cref="UsageDialect.AzureOpenAi"/>: OpenAI shapes on chat/text
/// completions, embeddings, <c>responses</c>, transcriptions and images (<see cref="MeteredPaths.IsOpenAiUsageEndpoint"/>).</item>
/// <item><see cref="UsageDialect.Anthropic"/>: <c>…/messages</c> (not <c>count_tokens</c> or batches).</item>
/// <item><see cref="UsageDialect.Google"/>: <c>:generateContent</c> / <c>:streamGenerateContent</c>;
/// Vertex <c>publishers/anthropic/…:rawPredict|streamRawPredict</c> as Anthropic, other publishers'
/// <c>rawPredict</c> (Llama, Mistral) as OpenAI.</item>
/// <item><see cref="UsageDialect.Bedrock"/>: <c>model/{id}/converse|converse-stream</c> and
/// <c>model/{id}/invoke|invoke-with-response-stream</c>; the agent runtime reports no tokens.</item>
/// <item><see cref="UsageDialect.Cohere"/>: <c>chat</c>, <c>embed</c>, <c>rerank</c>, <c>generate</c>, <c>summarize</c>, <c>classify</c> (v1 and v2).</item>
/// <item><see cref="UsageDialect.AssemblyAi"/>: LeMUR (<c>/lemur/…</c>, OpenAI-like <c>usage.input_tokens</c>); transcripts
/// are billed by audio duration, not tokens, and are not metered here.</item>
/// <item>Any provider's OpenAI-compatible endpoint (Gemini <c>/v1beta/openai/…</c>, Vertex
/// <c>endpoints/openapi/…</c>, Cohere <c>compatibility/…</c>, Bedrock <c>openai/v1/…</c>) as OpenAI.</item>
/// <item><see cref="UsageDialect.CustomEndpoint"/>: OpenAI shapes whatever the path, when the body is JSON or
/// SSE. A body that is not OpenAI-shaped then yields zero tokens and <see cref="TokenUsage.Reported"/>
/// false; custom endpoints are billed by <c>cost_per_request</c>, the tokens are informative.</item>
/// </list>
/// <para>Framings: <c>text/event-stream</c> → SSE; <c>application/vnd.amazon.eventstream</c> →
/// event-stream frames; JSON lines (<c>application/stream+json</c>, <c>x-ndjson</c>, <c>jsonl</c>)
/// and Gemini's <c>streamGenerateContent</c> without <c>alt=sse</c> → streamed JSON objects; any other
/// JSON (or no Content-Type) → one JSON body. Other types (audio, text, binary) → no meter.</para>
/// </remarks>
internal static class ResponseMeters
{
    /// <summary>The usage reader one answer needs.</summary>
    private enum Reader
    {
        None,
        OpenAi,
        Anthropic,
        Gemini,
        BedrockConverse,
        BedrockInvoke,
        Cohere,
    }

    private enum Framing
    {
        None,
        Json,
        JsonLines,
        Sse,
        EventStream,
    }

    /// <summary>
    /// The meter for one response, or null when there is nothing to meter: a status outside 2xx
    /// (and 204), a call that reports no usage (listing models, counting tokens, files, agents), or a
    /// body type no provider puts usage in.
    /// </summary>
    /// <param name="dialect">The route's (<see cref="Routing.PassThroughRoute.Dialect"/>).</param>
    /// <param name="tail">The client's path after the route prefix, query string allowed (<c>/v1/chat/completions</c>).</param>
    /// <param name="requestModel">The request body's <c>model</c>, when known; see <see cref="IResponseMeter.Model"/>.</param>
    /// <param name="statusCode">The provider's status code.</param>
    /// <param name="contentType">The response's <c>Content-Type</c>.</param>
    /// <param name="responseHeaders">The response's headers (Bedrock's invoke reports its token counts there).</param>
    public static IResponseMeter? Create(UsageDialect dialect, string tail, string? requestModel, int statusCode, string? contentType, IHeaderDictionary responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(tail);
        ArgumentNullException.ThrowIfNull(responseHeaders);
        if (statusCode is < 200 or > 299 or 204)
        {
            return null;
        }

        var framing = FramingOf(contentType);
        if (framing == Framing.None)
        {
            return null;
        }

        var path = MeteredPaths.WithoutQuery(tail);
        var (readerKind, pathModel) = Classify(dialect, path);
        var streamedJson = readerKind == Reader.Gemini && MeteredPaths.ColonMethod(path).SequenceEqual("streamGenerateContent");
        UsageReader? reader = readerKind switch
        {
            Reader.None => null,
            Reader.OpenAi => new OpenAiUsageReader(),
            Reader.Anthropic => new AnthropicUsageReader(),
            Reader.Gemini => new GeminiUsageReader(streamed: streamedJson || framing == Framing.Sse),
            Reader.BedrockConverse => new BedrockConverseUsageReader(),
            Reader.BedrockInvoke => new BedrockInvokeUsageReader(BedrockHeaderCounts(responseHeaders)),
            Reader.Cohere => new CohereUsageReader(),
        };
        if (reader is null)
        {
            return null;
        }

        return framing switch
        {
            Framing.Sse => new SseResponseMeter(reader, pathModel, requestModel),
            Framing.EventStream => new EventStreamResponseMeter(reader, pathModel, requestModel),
            Framing.JsonLines => new JsonSequenceResponseMeter(reader, pathModel, requestModel),
            _ when streamedJson => new JsonSequenceResponseMeter(reader, pathModel, requestModel),
            _ => new JsonBodyResponseMeter(reader, pathModel, requestModel),
        };
    }

    private static (Reader Reader, string? PathModel) Classify(UsageDialect dialect, string path) => dialect switch
    {
        UsageDialect.OpenAi => (OpenAiOrNone(path), null),
        UsageDialect.AzureOpenAi => MeteredPaths.IsOpenAiUsageEndpoint(path) ? (Reader.OpenAi, MeteredPaths.AzureDeployment(path)) : default,
        UsageDialect.Anthropic => (path.EndsWith("/messages", StringComparison.Ordinal) ? Reader.Anthropic : OpenAiOrNone(path), null),
        UsageDialect.Google => ClassifyGoogle(path),
        UsageDialect.Bedrock => ClassifyBedrock(path),
        UsageDialect.Cohere => (ClassifyCohere(path), null),
        UsageDialect.AssemblyAi => (path.Contains("/lemur/", StringComparison.Ordinal) ? Reader.OpenAi : Reader.None, null),
        UsageDialect.CustomEndpoint => (Reader.OpenAi, null),
    };

    private static Reader OpenAiOrNone(string path) => MeteredPaths.IsOpenAiUsageEndpoint(path) ? Reader.OpenAi : Reader.None;

    private static (Reader Reader, string? PathModel) ClassifyGoogle(string path)
    {
        var method = MeteredPaths.ColonMethod(path);
        if (method is "generateContent" or "streamGenerateContent")
        {
            return (Reader.Gemini, MeteredPaths.GoogleModel(path));
        }

        if (method is "rawPredict" or "streamRawPredict")
        {
            var reader = MeteredPaths.VertexPublisher(path) is "anthropic" ? Reader.Anthropic : Reader.OpenAi;
            return (reader, MeteredPaths.GoogleModel(path));
        }

        return (OpenAiOrNone(path), null);
    }

    private static (Reader Reader, string? PathModel) ClassifyBedrock(string path)
    {
        if (MeteredPaths.TryReadBedrockModel(path, out var modelId, out var operation))
        {
            return operation switch
            {
                "converse" or "converse-stream" => (Reader.BedrockConverse, modelId),
                "invoke" or "invoke-with-response-stream" => (Reader.BedrockInvoke, modelId),
                _ => default,
            };
        }

        return (OpenAiOrNone(path), null);
    }

    private static Reader ClassifyCohere(string path)
    {
        if (MeteredPaths.IsOpenAiUsageEndpoint(path))
        {
            return Reader.OpenAi;
        }

        var last = path.AsSpan(path.LastIndexOf('/') + 1);
        return last is "chat" or "embed" or "rerank" or "generate" or "summarize" or "classify" ? Reader.Cohere : Reader.None;
    }

    private static Framing FramingOf(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return Framing.Json;
        }

        var semicolon = contentType.IndexOf(';');
        var media = (semicolon < 0 ? contentType.AsSpan() : contentType.AsSpan(0, semicolon)).Trim();
        if (media.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            return Framing.Sse;
        }

        if (media.Equals("application/vnd.amazon.eventstream", StringComparison.OrdinalIgnoreCase))
        {
            return Framing.EventStream;
        }

        if (media.Equals("application/stream+json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/jsonlines", StringComparison.OrdinalIgnoreCase))
        {
            return Framing.JsonLines;
        }

        return media.Contains("json", StringComparison.OrdinalIgnoreCase) ? Framing.Json : Framing.None;
    }

    /// <summary>InvokeModel's <c>x-amzn-bedrock-input-token-count</c>, <c>-output-token-count</c> and cache read / write counts.</summary>
    private static TokenCounts BedrockHeaderCounts(IHeaderDictionary responseHeaders) => new()
    {
        Input = HeaderCount(responseHeaders, "x-amzn-bedrock-input-token-count"),
        Output = HeaderCount(responseHeaders, "x-amzn-bedrock-output-token-count"),
        CacheRead = HeaderCount(responseHeaders, "x-amzn-bedrock-cache-read-input-token-count"),
        CacheCreation = HeaderCount(responseHeaders, "x-amzn-bedrock-cache-write-input-token-count"),
    };

    private static long? HeaderCount(IHeaderDictionary responseHeaders, string name) =>
        long.TryParse(responseHeaders[name].ToString(), NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var count) ? count : null;
}
