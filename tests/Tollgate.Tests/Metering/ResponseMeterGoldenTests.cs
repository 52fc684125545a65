using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Tollgate.Metering;
using Tollgate.Metering.Meters;

namespace Tollgate.Tests.Metering;

public sealed class ResponseMeterGoldenTests
{
    public static TheoryData<string, string> Golden() => GoldenStreams.NamesAndModes();

    [Theory]
    [MemberData(nameof(Golden))]
    public void Golden_streams_give_exact_usage_however_the_bytes_are_split(string name, string mode)
    {
        var golden = GoldenStreams.All[name];

        var meter = Run(golden, golden.Body, mode);

        AssertUsage(golden.Expected, meter);
        Assert.False(((ResponseMeter)meter).Faulted);
    }

    public static TheoryData<string, string, string, long, long, string> Cuts() => new()
    {
        // golden stream, cut just before this text, split mode, input and output seen so far, model seen
        { "openai-chat-sse", "\"choices\":[],\"usage\"", "random-1", 0, 0, "gpt-4o-2024-08-06" },
        { "openai-responses-sse", "event: response.completed", Splits.ByteByByte, 0, 0, "o4-mini-2025-04-16" },
        { "anthropic-messages-sse", "event: message_delta", "random-42", 4225, 1, "claude-sonnet-4-5-20250929" },
        { "anthropic-messages-sse", "\"output_tokens\":89", Splits.ByteByByte, 4225, 1, "claude-sonnet-4-5-20250929" },
        { "vertex-anthropic-raw-predict-sse", "content_block_stop", "random-2024", 4225, 1, "claude-sonnet-4-20250514" },
        { "gemini-stream-sse", "\"text\":\".\"", "random-1", 2068, 304, "gemini-2.5-flash" },
        { "vertex-gemini-stream-array", "\"finishReason\"", Splits.ByteByByte, 2068, 304, "gemini-2.5-flash" },
        { "bedrock-converse-stream", "\"usage\":{\"cacheRead", "random-42", 0, 0, "" },
        { "bedrock-invoke-stream-llama", "", "random-1", 10, 1, "" },
        { "cohere-v2-chat-sse", "event: message-end", Splits.Whole, 0, 0, "" },
        { "cohere-v1-chat-stream-json", "\"event_type\":\"stream-end\"", Splits.ByteByByte, 0, 0, "" },
        { "openai-chat-json", "\"usage\"", Splits.Whole, 0, 0, "" },
    };

    [Theory]
    [MemberData(nameof(Cuts))]
    public void A_stream_cut_in_the_middle_keeps_the_counts_seen_and_is_not_reported(string name, string cutBefore, string mode, long input, long output, string responseModel)
    {
        var golden = GoldenStreams.All[name];
        var cut = CutAt(golden, cutBefore);

        var meter = Run(golden, golden.Body.AsSpan(0, cut).ToArray(), mode);

        Assert.False(meter.Usage.Reported);
        Assert.Equal(input, meter.Usage.InputTokens);
        Assert.Equal(output, meter.Usage.OutputTokens);
        Assert.Equal(responseModel == "" ? null : responseModel, meter.ResponseModel);
    }

    [Fact]
    public void The_bedrock_stream_cut_before_its_third_chunk_still_has_claudes_start()
    {
        // Chunks are base64 inside frames: the cut is by frame, after message_start and two deltas.
        var golden = GoldenStreams.All["bedrock-invoke-stream-anthropic"];
        var frames = GoldenStreams.BedrockAnthropicChunks().Select(EventStreamFrames.Chunk).ToArray();
        var body = EventStreamFrames.Concat(frames.Take(4)).Concat(frames[4].AsSpan(0, 20).ToArray()).ToArray();

        var meter = Run(golden, body, Splits.ByteByByte);

        Assert.False(meter.Usage.Reported);
        Assert.Equal(30, meter.Usage.InputTokens);
        Assert.Equal(20, meter.Usage.CacheReadInputTokens);
        Assert.Equal(1, meter.Usage.OutputTokens);
        Assert.Equal("claude-3-5-haiku-20241022", meter.ResponseModel);
    }

    [Theory]
    [InlineData(Splits.Whole)]
    [InlineData(Splits.ByteByByte)]
    [InlineData("random-42")]
    public void A_corrupt_event_stream_crc_stops_metering_without_throwing(string mode)
    {
        var golden = GoldenStreams.All["bedrock-converse-stream"];
        var frames = GoldenStreams.ConverseStreamFrames();
        frames[2][^8] ^= 0x55; // inside the second contentBlockDelta's payload
        var body = EventStreamFrames.Concat(frames);

        var meter = (EventStreamResponseMeter)Run(golden, body, mode);

        Assert.True(meter.FramingFailed);
        Assert.False(meter.Faulted);
        Assert.False(meter.Usage.Reported);
        Assert.Equal(0, meter.Usage.TotalTokens);
        Assert.Equal(0, meter.BufferCapacity);
    }

    [Fact]
    public void Bedrock_invoke_prefers_the_token_count_headers_over_the_body()
    {
        var meter = ResponseMeters.Create(
            UsageDialect.Bedrock, "/model/meta.llama3-1-70b-instruct-v1:0/invoke", null, 200, "application/json",
            new HeaderDictionary
            {
                ["x-amzn-bedrock-input-token-count"] = "11",
                ["x-amzn-bedrock-output-token-count"] = "6",
            })!;

        // The headers alone already count, before any byte of the body.
        Assert.True(meter.Usage.Reported);
        Assert.Equal(11, meter.Usage.InputTokens);

        meter.Observe(GoldenStreams.Utf8("""{"generation":"x","prompt_token_count":10,"generation_token_count":5,"stop_reason":"stop"}"""));
        meter.Complete();

        Assert.Equal(11, meter.Usage.InputTokens);
        Assert.Equal(6, meter.Usage.OutputTokens);
    }

    [Fact]
    public void A_json_body_over_the_limit_reports_nothing_and_frees_its_buffer()
    {
        var meter = new JsonBodyResponseMeter(new Tollgate.Metering.Usage.OpenAiUsageReader(), null, null, maxBodyBytes: 1024);
        var body = GoldenStreams.Utf8("{\"pad\":\"" + new string('p', 2000) + "\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");
        foreach (var piece in Splits.Of(body, "random-1"))
        {
            meter.Observe(piece.Span);
            Assert.True(meter.BufferCapacity <= 2048);
        }

        meter.Complete();

        Assert.True(meter.TooLarge);
        Assert.False(meter.Usage.Reported);
        Assert.Equal(0, meter.BufferCapacity);
    }

    [Fact]
    public void A_cohere_rerank_reports_its_billed_search_units()
    {
        var meter = ResponseMeters.Create(UsageDialect.Cohere, "/v2/rerank", "rerank-v3.5", 200, "application/json", new HeaderDictionary())!;
        meter.Observe("""{"id":"07734bd2","results":[{"index":1,"relevance_score":0.99},{"index":0,"relevance_score":0.12}],"meta":{"api_version":{"version":"2"},"billed_units":{"search_units":2}}}"""u8);
        meter.Complete();

        Assert.True(meter.Usage.Reported);
        Assert.Equal(2, meter.Usage.SearchUnits);
        Assert.Equal(0, meter.Usage.TotalTokens);
    }

    [Fact]
    public void A_custom_endpoint_with_a_body_that_is_not_openai_shaped_reports_nothing()
    {
        var meter = ResponseMeters.Create(UsageDialect.CustomEndpoint, "/", null, 200, "application/json", new HeaderDictionary())!;
        meter.Observe("""{"results":[{"index":0,"relevance_score":0.9}],"meta":{"billed_units":{"search_units":1}}}"""u8);
        meter.Complete();

        Assert.False(meter.Usage.Reported);
        Assert.Equal(0, meter.Usage.TotalTokens);
        Assert.Null(meter.Model);
    }

    public static TheoryData<string, byte[]> UnreadableStrings() => new()
    {
        // A model name with a byte that is not UTF-8, or an escaped lone surrogate, before the usage.
        { "openai-chat-sse", [.. "data: {\"model\":\"gpt-"u8, 0xDD, .. "\",\"choices\":[]}\n\n"u8] },
        { "openai-chat-sse", "data: {\"model\":\"gpt-\\ud800\",\"choices\":[]}\n\n"u8.ToArray() },
        { "bedrock-invoke-stream-anthropic", EventStreamFrames.Event("chunk", """{"bytes":"\ud800"}""") },
    };

    [Theory]
    [MemberData(nameof(UnreadableStrings))]
    public void A_string_that_is_not_text_does_not_stop_metering(string name, byte[] before)
    {
        var golden = GoldenStreams.All[name];

        var meter = Run(golden, [.. before, .. golden.Body], Splits.ByteByByte);

        AssertUsage(golden.Expected, meter);
        Assert.False(((ResponseMeter)meter).Faulted);
    }

    public static TheoryData<string, byte[], int> UnitsWithNamesThatAreNotText() => new()
    {
        // A property name with an escaped lone surrogate (long enough to be compared with the names the readers look for):
        // the reader cannot compare it, so the unit is passed over.
        { "openai-chat-sse", "data: {\"choices\":[],\"\\ud800sageMetadata\":1}\n\n"u8.ToArray(), 0 },
        { "anthropic-messages-sse", "event: message_delta\ndata: {\"type\":\"message_delta\",\"\\ud800sageMetadata\":1,\"usage\":{\"output_tokens\":5}}\n\n"u8.ToArray(), 0 },
        { "vertex-gemini-stream-array", "[{\"\\ud800sageMetadata\":1,\"usageMetadata\":{\"promptTokenCount\":5}},"u8.ToArray(), 1 },
        { "cohere-v1-chat-stream-json", "{\"\\ud800sageMetadata\":1,\"meta\":{\"billed_units\":{\"input_tokens\":5}}}\n"u8.ToArray(), 0 },
        { "bedrock-converse-stream", EventStreamFrames.Event("metadata", """{"\ud800sageMetadata":1}"""), 0 },
    };

    [Theory]
    [MemberData(nameof(UnitsWithNamesThatAreNotText))]
    public void A_unit_with_a_name_that_is_not_text_is_passed_over_and_metering_goes_on(string name, byte[] before, int skip)
    {
        var golden = GoldenStreams.All[name];

        var meter = Run(golden, [.. before, .. golden.Body.AsSpan(skip)], "random-42");

        AssertUsage(golden.Expected, meter);
        Assert.False(((ResponseMeter)meter).Faulted);
    }

    [Fact]
    public void Garbage_never_throws_out_of_observe_or_complete()
    {
        var random = new Random(5);
        var garbage = new byte[64 * 1024];
        foreach (var golden in GoldenStreams.All.Values)
        {
            random.NextBytes(garbage);
            var meter = ResponseMeters.Create(ProviderDialects.Of(golden.Provider), golden.Tail, null, 200, golden.ContentType, new HeaderDictionary())!;
            meter.Observe(golden.Body.AsSpan(0, golden.Body.Length / 2));
            meter.Observe(garbage);
            meter.Observe("data: {\"usage\":{\"prompt_tokens\":\"x\"}}\n\n{\"usage\":[}]\n"u8);
            meter.Complete();
            meter.Complete();
            meter.Observe(garbage);
        }
    }

    [Fact]
    public void Fifty_megabytes_of_openai_sse_keep_the_meter_small_and_allocation_free()
    {
        var meter = (ResponseMeter)ResponseMeters.Create(UsageDialect.OpenAi, "/v1/chat/completions", "gpt-4o", 200, "text/event-stream", new HeaderDictionary())!;
        var segment = new StringBuilder();
        for (var i = 0; i < 64; i++)
        {
            segment.Append("data: {\"id\":\"chatcmpl-B9\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tök")
                .Append(i).Append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }

        var bytes = Encoding.UTF8.GetBytes(segment.ToString());
        const long Total = 50L * 1024 * 1024;
        const int Read = 4093;
        var chunk = new byte[Read];
        var at = 0;
        long fed = 0;
        var most = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        while (fed < Total)
        {
            for (var i = 0; i < Read; i++)
            {
                chunk[i] = bytes[at];
                at = (at + 1) % bytes.Length;
            }

            meter.Observe(chunk);
            fed += Read;
            most = Math.Max(most, meter.BufferCapacity);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        meter.Observe("\n\ndata: {\"id\":\"chatcmpl-B9\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":500000}}\n\ndata: [DONE]\n\n"u8);
        meter.Complete();

        Assert.True(most <= 1024, $"buffer grew to {most} bytes");
        Assert.True(allocated < 256 * 1024, $"{allocated} bytes allocated for 50 MB");
        Assert.True(meter.Usage.Reported);
        Assert.Equal(500_000, meter.Usage.OutputTokens);
        Assert.Equal(0, meter.BufferCapacity);
    }

    [Fact]
    public void Golden_streams_give_exact_usage_wherever_the_reads_are_cut() =>
        (from name in Gen.OneOf(GoldenStreams.All.Keys.ToArray())
         from cuts in StreamGen.Cuts(GoldenStreams.All[name].Body.Length)
         select (Name: name, Cuts: cuts))
            .Sample(
                sample =>
                {
                    var golden = GoldenStreams.All[sample.Name];

                    var meter = Run(golden, Splits.At(golden.Body, sample.Cuts));

                    AssertUsage(golden.Expected, meter);
                    Assert.False(((ResponseMeter)meter).Faulted);
                },
                iter: 500);

    [Fact]
    public void Damaged_golden_streams_are_metered_alike_whatever_the_reads() =>
        (from name in Gen.OneOf(GoldenStreams.All.Keys.ToArray())
         from damage in Gen.Select(Gen.Int.Positive, Gen.Byte).Array[0, 6]
         from keep in Gen.Frequency<double>((2, Gen.Const(1.0)), (1, Gen.Double.Unit))
         let body = Damaged(GoldenStreams.All[name].Body, damage, keep)
         from cuts in StreamGen.Cuts(body.Length)
         select (Name: name, Body: body, Cuts: cuts))
            .Sample(
                sample =>
                {
                    var golden = GoldenStreams.All[sample.Name];

                    var whole = Run(golden, [sample.Body]);
                    var cut = Run(golden, Splits.At(sample.Body, sample.Cuts));

                    Assert.Equal(UsageOf(whole), UsageOf(cut));
                    Assert.False(((ResponseMeter)whole).Faulted);
                    Assert.False(((ResponseMeter)cut).Faulted);
                },
                iter: 1000);

    /// <summary>The body with some bytes overwritten, then cut to <paramref name="keep"/> of its length.</summary>
    private static byte[] Damaged(byte[] body, (int At, byte Value)[] damage, double keep)
    {
        var damaged = body[..(int)(body.Length * keep)];
        foreach (var (at, value) in damage)
        {
            if (damaged.Length > 0)
            {
                damaged[at % damaged.Length] = value;
            }
        }

        return damaged;
    }

    private static IResponseMeter Run(GoldenStream golden, byte[] body, string mode) => Run(golden, Splits.Of(body, mode));

    private static IResponseMeter Run(GoldenStream golden, IEnumerable<ReadOnlyMemory<byte>> reads)
    {
        var meter = ResponseMeters.Create(
            ProviderDialects.Of(golden.Provider),
            golden.Tail,
            golden.RequestModel,
            200,
            golden.ContentType,
            new HeaderDictionary((golden.Headers ?? new Dictionary<string, string>()).ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value))));
        Assert.NotNull(meter);
        foreach (var piece in reads)
        {
            meter.Observe(piece.Span);
        }

        meter.Complete();
        return meter;
    }

    private static int CutAt(GoldenStream golden, string cutBefore)
    {
        if (cutBefore.Length == 0)
        {
            // Llama on Bedrock: the second (last) frame, cut in half.
            return golden.Body.Length - 40;
        }

        var at = golden.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(cutBefore));
        Assert.True(at > 0, $"'{cutBefore}' not in {golden.Tail}");
        return at;
    }

    private static void AssertUsage(ExpectedUsage expected, IResponseMeter meter) => Assert.Equal(expected, UsageOf(meter));

    private static ExpectedUsage UsageOf(IResponseMeter meter) =>
        new(
            meter.Usage.InputTokens,
            meter.Usage.OutputTokens,
            meter.Usage.CacheReadInputTokens,
            meter.Usage.CacheCreationInputTokens,
            meter.Usage.CacheCreation1hInputTokens,
            meter.Usage.ReasoningTokens,
            meter.Usage.Reported,
            meter.Model,
            meter.ResponseModel);
}
