using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Bench.Upstream;

/// <summary>
/// Answers every request as <c>POST /v1/chat/completions</c>: canned JSON, or, when the body says
/// <c>"stream":true</c>, OpenAI chat-completion chunks paced by <see cref="FakeChatOptions.DelayMs"/>
/// and closed by a usage chunk and <c>data: [DONE]</c>.
/// </summary>
/// <remarks>
/// Each chunk's id is <c>chatcmpl-{received}-{sent}</c>: <see cref="Stopwatch.GetTimestamp"/> when the
/// request arrived and just before the chunk was written. The timestamp is CLOCK_MONOTONIC, shared by
/// every process on the machine, so the load generator measures each event's transit, and the time
/// the request took to get here, without the fake's own timer jitter in the figure.
/// </remarks>
internal static class FakeChat
{
    private static ReadOnlySpan<byte> StreamTrue => "\"stream\":true"u8;

    private static ReadOnlySpan<byte> StreamTrueSpaced => "\"stream\": true"u8;

    private static ReadOnlySpan<byte> ChunkStart => "data: {\"id\":\"chatcmpl-"u8;

    private static ReadOnlySpan<byte> ContentChunkEnd =>
        "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok \"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"u8;

    private static ReadOnlySpan<byte> FinishChunkEnd =>
        "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n"u8;

    private static ReadOnlySpan<byte> UsageChunkMiddle =>
        "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_bench\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":"u8;

    private static ReadOnlySpan<byte> Done => "data: [DONE]\n\n"u8;

    public static async Task HandleAsync(HttpContext context, FakeChatResponses responses)
    {
        var received = Stopwatch.GetTimestamp();
        var options = FakeChatOptions.From(context.Request);
        var stream = await ReadStreamFlagAsync(context.Request.BodyReader, context.RequestAborted);
        if (options.ThinkMs > 0)
        {
            await Task.Delay(options.ThinkMs, context.RequestAborted);
        }

        var response = context.Response;
        if (!stream)
        {
            var body = responses.Completion(options.Size);
            response.ContentType = "application/json";
            response.ContentLength = body.Length;
            await response.BodyWriter.WriteAsync(body, context.RequestAborted);
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < options.Events; i++)
        {
            if (i > 0)
            {
                // Pace from the start, not from the last write, so late wake-ups do not add up.
                var due = start + (i * options.DelayMs * Stopwatch.Frequency / 1000);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, context.RequestAborted);
                }
            }

            WriteChunk(writer, received, ContentChunkEnd, -1);
            if (i < options.Events - 1)
            {
                await writer.FlushAsync(context.RequestAborted);
            }
        }

        WriteChunk(writer, received, FinishChunkEnd, -1);
        WriteChunk(writer, received, UsageChunkMiddle, options.Events);
        writer.Write(Done);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>Writes one <c>data:</c> chunk; with <paramref name="completionTokens"/> ≥ 0 it closes the usage object.</summary>
    private static void WriteChunk(PipeWriter writer, long received, ReadOnlySpan<byte> end, int completionTokens)
    {
        var span = writer.GetSpan(ChunkStart.Length + 42 + end.Length + 64);
        var length = 0;
        ChunkStart.CopyTo(span);
        length += ChunkStart.Length;
        Utf8Formatter.TryFormat(received, span[length..], out var written);
        length += written;
        span[length++] = (byte)'-';
        Utf8Formatter.TryFormat(Stopwatch.GetTimestamp(), span[length..], out written);
        length += written;
        end.CopyTo(span[length..]);
        length += end.Length;
        if (completionTokens >= 0)
        {
            Utf8Formatter.TryFormat(completionTokens, span[length..], out written);
            length += written;
            ",\"total_tokens\":"u8.CopyTo(span[length..]);
            length += 16;
            Utf8Formatter.TryFormat(12 + completionTokens, span[length..], out written);
            length += written;
            "}}\n\n"u8.CopyTo(span[length..]);
            length += 4;
        }

        writer.Advance(length);
    }

    /// <summary>Reads the whole request body and tells whether it asks for a stream.</summary>
    private static async ValueTask<bool> ReadStreamFlagAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (result.IsCompleted || buffer.Length > 1 << 20)
            {
                var found = Contains(buffer);
                reader.AdvanceTo(buffer.End);
                if (!result.IsCompleted)
                {
                    await DrainAsync(reader, cancellationToken);
                }

                return found;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool Contains(ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            var span = buffer.FirstSpan;
            return span.IndexOf(StreamTrue) >= 0 || span.IndexOf(StreamTrueSpaced) >= 0;
        }

        var copy = buffer.ToArray();
        return copy.AsSpan().IndexOf(StreamTrue) >= 0 || copy.AsSpan().IndexOf(StreamTrueSpaced) >= 0;
    }

    private static async Task DrainAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
