using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Tollgate.Metering;

namespace Tollgate.Benchmarks;

/// <summary>
/// What metering one streamed answer costs off the hot path: a 64-event OpenAI chat SSE stream
/// (text deltas, then the usage chunk and <c>[DONE]</c>) and a 64-event Bedrock ConverseStream
/// (AWS event-stream frames, then <c>metadata</c>), fed in reads of <see cref="ReadSize"/> bytes:
/// 64 splits every event across reads, 4096 puts many events in one read. The baseline copies the
/// same reads into a buffer, as the tee does anyway.
/// </summary>
[MemoryDiagnoser]
public class ResponseMeterBenchmarks
{
    private readonly byte[] _sink = new byte[64 * 1024];
    private byte[] _body = [];
    private UsageDialect _dialect;
    private string _tail = "";
    private string _contentType = "";

    [Params("openai-sse", "bedrock-converse-stream")]
    public string Stream { get; set; } = "openai-sse";

    [Params(64, 4096)]
    public int ReadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Stream == "openai-sse")
        {
            (_dialect, _tail, _contentType) = (UsageDialect.OpenAi, "/v1/chat/completions", "text/event-stream");
            _body = OpenAiSse();
        }
        else
        {
            (_dialect, _tail, _contentType) = (UsageDialect.Bedrock, "/model/anthropic.claude-3-5-haiku-20241022-v1:0/converse-stream", "application/vnd.amazon.eventstream");
            _body = ConverseStream();
        }

        // Verify before timing: the meter must find the final usage.
        var usage = Run().Usage;
        if (!usage.Reported || usage.InputTokens != 1117 || usage.OutputTokens != 62)
        {
            throw new InvalidOperationException($"{Stream}: metered {usage.InputTokens}/{usage.OutputTokens}, reported {usage.Reported}");
        }
    }

    [Benchmark(Baseline = true)]
    public int CopyOnly()
    {
        var copied = 0;
        for (var at = 0; at < _body.Length; at += ReadSize)
        {
            var read = _body.AsSpan(at, Math.Min(ReadSize, _body.Length - at));
            read.CopyTo(_sink.AsSpan(copied % (_sink.Length - ReadSize)));
            copied += read.Length;
        }

        return copied;
    }

    [Benchmark]
    public long Meter() => Run().Usage.TotalTokens;

    private IResponseMeter Run()
    {
        var meter = ResponseMeters.Create(_dialect, _tail, "gpt-4o", 200, _contentType, new HeaderDictionary())!;
        for (var at = 0; at < _body.Length; at += ReadSize)
        {
            meter.Observe(_body.AsSpan(at, Math.Min(ReadSize, _body.Length - at)));
        }

        meter.Complete();
        return meter;
    }

    private static byte[] OpenAiSse()
    {
        var sse = new StringBuilder();
        for (var i = 0; i < 62; i++)
        {
            sse.Append("data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_eb9dce56a8\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word")
                .Append(i).Append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }

        sse.Append("data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":1117,\"completion_tokens\":62,\"total_tokens\":1179,\"prompt_tokens_details\":{\"cached_tokens\":1024,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n");
        sse.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sse.ToString());
    }

    private static byte[] ConverseStream()
    {
        var frames = new List<byte[]> { Frame("messageStart", """{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR","role":"assistant"}""") };
        for (var i = 0; i < 61; i++)
        {
            frames.Add(Frame("contentBlockDelta", $$"""{"contentBlockIndex":0,"delta":{"text":" word{{i}}"},"p":"abcdefghijklmnopq"}"""));
        }

        frames.Add(Frame("messageStop", """{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01","stopReason":"end_turn"}"""));
        frames.Add(Frame("metadata", """{"metrics":{"latencyMs":1203},"p":"abcdefghijklmnopqrstuvw","usage":{"inputTokens":1117,"outputTokens":62,"totalTokens":1179}}"""));
        return [.. frames.SelectMany(f => f)];
    }

    private static byte[] Frame(string eventType, string json)
    {
        var headers = new List<byte>();
        foreach (var (name, value) in new[] { (":event-type", eventType), (":content-type", "application/json"), (":message-type", "event") })
        {
            headers.Add((byte)name.Length);
            headers.AddRange(Encoding.UTF8.GetBytes(name));
            headers.Add(7);
            headers.Add((byte)(value.Length >> 8));
            headers.Add((byte)value.Length);
            headers.AddRange(Encoding.UTF8.GetBytes(value));
        }

        var payload = Encoding.UTF8.GetBytes(json);
        var total = 12 + headers.Count + payload.Length + 4;
        var frame = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)headers.Count);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), Crc32.HashToUInt32(frame.AsSpan(0, 8)));
        headers.CopyTo(frame, 12);
        payload.CopyTo(frame, 12 + headers.Count);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(total - 4), Crc32.HashToUInt32(frame.AsSpan(0, total - 4)));
        return frame;
    }
}
