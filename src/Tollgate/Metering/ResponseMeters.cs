using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tollgate.Metering.Meters;
using Tollgate.Metering.Usage;

namespace Tollgate.Metering;

/// <summary>
/// Picks the meter for one provider response: the dialect from the provider and the path, the
/// framing from the response's <c>Content-Type</c>.
/// </summary>
/// <remarks>
/// <para>Dialects by provider and path (the path after the route prefix, query ignored):</para>
/// <list type="bullet">
/// <item><c>openai</c>, <c>azure</c>, <c>mistral</c>, <c>vllm</c>: OpenAI shapes on chat/text
/// completions, embeddings, <c>responses</c>, transcriptions and images (<see cref="MeteredPaths.IsOpenAiUsageEndpoint"/>).</item>
/// <item><c>anthropic</c>: <c>…/messages</c> (not <c>count_tokens</c> or batches).</item>
/// <item><c>gemini</c>, <c>vertex_ai</c>: <c>:generateContent</c> / <c>:streamGenerateContent</c>;
/// Vertex <c>publishers/anthropic/…:rawPredict|streamRawPredict</c> as Anthropic, other publishers'
/// <c>rawPredict</c> (Llama, Mistral) as OpenAI.</item>
/// <item><c>bedrock</c>: <c>model/{id}/converse|converse-stream</c> and
/// <c>model/{id}/invoke|invoke-with-response-stream</c>; the agent runtime reports no tokens.</item>
/// <item><c>cohere</c>: <c>chat</c>, <c>embed</c>, <c>rerank</c>, <c>generate</c>, <c>summarize</c>, <c>classify</c> (v1 and v2).</item>
/// <item><c>assemblyai</c>: LeMUR (<c>/lemur/…</c>, OpenAI-like <c>usage.input_tokens</c>); transcripts
/// are billed by audio duration, not tokens, and are not metered here.</item>
/// <item>Any provider's OpenAI-compatible endpoint (Gemini <c>/v1beta/openai/…</c>, Vertex
/// <c>endpoints/openapi/…</c>, Cohere <c>compatibility/…</c>, Bedrock <c>openai/v1/…</c>) as OpenAI.</item>
/// <item>Anything else (a custom endpoint): OpenAI shapes whatever the path, when the body is JSON or
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
    private enum Dialect
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
    /// <param name="provider">The route's provider (<c>openai</c>, <c>anthropic</c>, <c>gemini</c>, <c>vertex_ai</c>,
    /// <c>bedrock</c>, <c>azure</c>, <c>cohere</c>, <c>mistral</c>, <c>vllm</c>, <c>assemblyai</c>); anything else is a custom endpoint.</param>
    /// <param name="tail">The client's path after the route prefix, query string allowed (<c>/v1/chat/completions</c>).</param>
    /// <param name="requestModel">The request body's <c>model</c>, when known; see <see cref="IResponseMeter.Model"/>.</param>
    /// <param name="statusCode">The provider's status code.</param>
    /// <param name="contentType">The response's <c>Content-Type</c>.</param>
    /// <param name="responseHeaders">The response's headers (Bedrock's invoke reports its token counts there).</param>
    public static IResponseMeter? Create(string provider, string tail, string? requestModel, int statusCode, string? contentType, IHeaderDictionary responseHeaders)
    {
        ArgumentNullException.ThrowIfNull(provider);
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
        var (dialect, pathModel) = Classify(provider, path);
        var streamedJson = dialect == Dialect.Gemini && MeteredPaths.ColonMethod(path).SequenceEqual("streamGenerateContent");
        UsageReader? reader = dialect switch
        {
            Dialect.OpenAi => new OpenAiUsageReader(),
            Dialect.Anthropic => new AnthropicUsageReader(),
            Dialect.Gemini => new GeminiUsageReader(streamed: streamedJson || framing == Framing.Sse),
            Dialect.BedrockConverse => new BedrockConverseUsageReader(),
            Dialect.BedrockInvoke => new BedrockInvokeUsageReader(BedrockHeaderCounts(responseHeaders)),
            Dialect.Cohere => new CohereUsageReader(),
            _ => null,
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

    private static (Dialect Dialect, string? PathModel) Classify(string provider, string path)
    {
        switch (provider)
        {
            case "openai" or "mistral" or "vllm":
                return (MeteredPaths.IsOpenAiUsageEndpoint(path) ? Dialect.OpenAi : Dialect.None, null);

            case "azure":
                return MeteredPaths.IsOpenAiUsageEndpoint(path) ? (Dialect.OpenAi, MeteredPaths.AzureDeployment(path)) : default;

            case "anthropic":
                if (path.EndsWith("/messages", StringComparison.Ordinal))
                {
                    return (Dialect.Anthropic, null);
                }

                return (MeteredPaths.IsOpenAiUsageEndpoint(path) ? Dialect.OpenAi : Dialect.None, null);

            case "gemini" or "vertex_ai" or "vertex-ai":
                return ClassifyGoogle(path);

            case "bedrock":
                if (MeteredPaths.TryReadBedrockModel(path, out var modelId, out var operation))
                {
                    return operation switch
                    {
                        "converse" or "converse-stream" => (Dialect.BedrockConverse, modelId),
                        "invoke" or "invoke-with-response-stream" => (Dialect.BedrockInvoke, modelId),
                        _ => default,
                    };
                }

                return (MeteredPaths.IsOpenAiUsageEndpoint(path) ? Dialect.OpenAi : Dialect.None, null);

            case "cohere":
                if (MeteredPaths.IsOpenAiUsageEndpoint(path))
                {
                    return (Dialect.OpenAi, null);
                }

                var last = path.AsSpan(path.LastIndexOf('/') + 1);
                return last is "chat" or "embed" or "rerank" or "generate" or "summarize" or "classify" ? (Dialect.Cohere, null) : default;

            case "assemblyai":
                return (path.Contains("/lemur/", StringComparison.Ordinal) ? Dialect.OpenAi : Dialect.None, null);

            default:
                return (Dialect.OpenAi, null);
        }
    }

    private static (Dialect Dialect, string? PathModel) ClassifyGoogle(string path)
    {
        var method = MeteredPaths.ColonMethod(path);
        if (method is "generateContent" or "streamGenerateContent")
        {
            return (Dialect.Gemini, MeteredPaths.GoogleModel(path));
        }

        if (method is "rawPredict" or "streamRawPredict")
        {
            var dialect = MeteredPaths.VertexPublisher(path) is "anthropic" ? Dialect.Anthropic : Dialect.OpenAi;
            return (dialect, MeteredPaths.GoogleModel(path));
        }

        return (MeteredPaths.IsOpenAiUsageEndpoint(path) ? Dialect.OpenAi : Dialect.None, null);
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
