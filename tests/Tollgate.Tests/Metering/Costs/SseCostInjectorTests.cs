using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Tollgate.Metering;
using Tollgate.Metering.Costs;
using Tollgate.Metering.Meters;

namespace Tollgate.Tests.Metering.Costs;

public sealed class SseCostInjectorTests
{
    private const string Cost = "0.0123";

    /// <summary>Golden SSE streams and the text right before their final usage object's closing brace (every occurrence gains the cost).</summary>
    public static readonly IReadOnlyDictionary<string, string?> UsageEnds = new Dictionary<string, string?>
    {
        ["openai-chat-sse"] = "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}",
        ["openai-responses-sse"] = "\"total_tokens\":348",
        ["azure-chat-sse"] = "\"total_tokens\":21",
        ["mistral-chat-sse"] = "\"completion_tokens\":15",

        // vLLM repeats the usage on every chunk: the two that carry the final count gain the cost.
        ["vllm-chat-sse-continuous-usage"] = "\"total_tokens\":14,\"completion_tokens\":2",
        ["anthropic-messages-sse"] = "\"output_tokens\":89,\"server_tool_use\":null",
        ["vertex-anthropic-raw-predict-sse"] = "\"output_tokens\":89",
        ["gemini-stream-sse"] = "\"totalTokenCount\":2383,\"cachedContentTokenCount\":2048,\"thoughtsTokenCount\":290,\"toolUsePromptTokenCount\":7",
        ["vertex-gemini-stream-sse"] = "\"totalTokenCount\":2383,\"cachedContentTokenCount\":2048,\"thoughtsTokenCount\":290,\"toolUsePromptTokenCount\":7",

        // Cohere's dialect is not rewritten.
        ["cohere-v2-chat-sse"] = null,
    };

    public static TheoryData<string, string> StreamsAndModes()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in UsageEnds.Keys)
        {
            foreach (var mode in Splits.Modes)
            {
                data.Add(name, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StreamsAndModes))]
    public void Only_the_final_usage_object_gains_the_cost_however_the_bytes_are_split(string name, string mode)
    {
        var golden = GoldenStreams.All[name];
        var body = Encoding.UTF8.GetString(golden.Body);
        var end = UsageEnds[name];
        var expected = end is null ? body : body.Replace(end, end + ",\"cost\":" + Cost, StringComparison.Ordinal);
        if (end is not null)
        {
            Assert.NotEqual(body, expected);
        }

        var (output, meter) = Run(golden, golden.Body, mode, () => decimal.Parse(Cost, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, output);
        Assert.True(meter.Usage.Reported);
        Assert.Equal(golden.Expected.Input, meter.Usage.InputTokens);
        Assert.Equal(golden.Expected.Output, meter.Usage.OutputTokens);
    }

    [Theory]
    [InlineData(Splits.Whole)]
    [InlineData(Splits.ByteByByte)]
    [InlineData("random-42")]
    public void A_model_without_a_price_leaves_the_stream_unchanged(string mode)
    {
        var golden = GoldenStreams.All["openai-chat-sse"];

        var (output, _) = Run(golden, golden.Body, mode, () => null);

        Assert.Equal(Encoding.UTF8.GetString(golden.Body), output);
    }

    [Theory]
    [InlineData("\"choices\":[],\"usage\"")]
    [InlineData("\"rejected_prediction_tokens\":0}}}")]
    [InlineData("\n\ndata: [DONE]")]
    public void A_stream_cut_anywhere_gives_every_byte_that_came_and_the_tail_as_is(string cutBefore)
    {
        var golden = GoldenStreams.All["openai-chat-sse"];
        var body = Encoding.UTF8.GetString(golden.Body);
        var cut = Encoding.UTF8.GetBytes(body[..body.IndexOf(cutBefore, StringComparison.Ordinal)]);

        var (output, _) = Run(golden, cut, "random-1", () => 1m);

        Assert.Equal(Encoding.UTF8.GetString(cut), output);
    }

    [Theory]
    [InlineData("data: {\"choices\":[],\n", "data: \"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\n\n")]
    [InlineData("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"cost\":0.5}}\n\n", "")]
    public void Usage_spread_over_data_lines_or_already_costed_passes_unchanged(string first, string second)
    {
        var body = Encoding.UTF8.GetBytes(first + second + "data: [DONE]\n\n");
        var golden = GoldenStreams.All["openai-chat-sse"];

        var (output, meter) = Run(golden, body, Splits.ByteByByte, () => 1m);

        Assert.Equal(Encoding.UTF8.GetString(body), output);
        Assert.True(meter.Usage.Reported);
    }

    [Fact]
    public void Cr_line_endings_and_an_empty_usage_object_still_take_the_cost()
    {
        var body = "data: {\"choices\":[],\"usage\":{}}\r\rdata: [DONE]\r\r"u8.ToArray();
        var golden = GoldenStreams.All["openai-chat-sse"];

        var (output, _) = Run(golden, body, Splits.ByteByByte, () => 2m);

        Assert.Equal("data: {\"choices\":[],\"usage\":{\"cost\":2}}\r\rdata: [DONE]\r\r", output);
    }

    [Fact]
    public void A_failing_price_passes_the_event_and_the_rest_of_the_stream_unchanged()
    {
        var golden = GoldenStreams.All["vllm-chat-sse-continuous-usage"];

        var (output, _) = Run(golden, golden.Body, "random-2024", () => throw new InvalidOperationException("boom"));

        Assert.Equal(Encoding.UTF8.GetString(golden.Body), output);
    }

    [Fact]
    public void The_final_usage_of_any_openai_stream_gains_the_cost_wherever_the_reads_are_cut() =>
        (from deltas in StreamGen.Text.Array[0, 4]
         from prompt in Gen.Int[0, 1_000_000]
         from completion in Gen.Int[0, 1_000_000]
         from lineEnd in Gen.OneOf("\n", "\r\n", "\r")
         let usage = $"\"usage\":{{\"prompt_tokens\":{prompt},\"completion_tokens\":{completion},\"total_tokens\":{prompt + completion}"
         let events = deltas.Select(d => $"{{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{d}\"}}}}],\"usage\":null}}")
         let stream = string.Concat(events.Append("{\"choices\":[]," + usage + "}}").Append("[DONE]").Select(e => "data: " + e + lineEnd + lineEnd))
         let body = Encoding.UTF8.GetBytes(stream)
         from cuts in StreamGen.Cuts(body.Length)
         select (Body: body, Expected: stream.Replace(usage, usage + ",\"cost\":" + Cost, StringComparison.Ordinal), Cuts: cuts, Prompt: prompt, Completion: completion))
            .Sample(
                sample =>
                {
                    var (output, meter) = Run(GoldenStreams.All["openai-chat-sse"], Splits.At(sample.Body, sample.Cuts), () => decimal.Parse(Cost, System.Globalization.CultureInfo.InvariantCulture));

                    Assert.Equal(sample.Expected, output);
                    Assert.True(meter.Usage.Reported);
                    Assert.Equal(sample.Prompt, meter.Usage.InputTokens);
                    Assert.Equal(sample.Completion, meter.Usage.OutputTokens);
                },
                iter: 500);

    private static (string Output, IResponseMeter Meter) Run(GoldenStream golden, byte[] body, string mode, Func<decimal?> cost) =>
        Run(golden, Splits.Of(body, mode), cost);

    /// <returns>What the client gets, and the meter that read the same stream.</returns>
    private static (string Output, IResponseMeter Meter) Run(GoldenStream golden, IEnumerable<ReadOnlyMemory<byte>> reads, Func<decimal?> cost)
    {
        var meter = (SseResponseMeter)ResponseMeters.Create(ProviderDialects.Of(golden.Provider), golden.Tail, golden.RequestModel, 200, golden.ContentType, new HeaderDictionary())!;
        var output = new List<byte>();
        if (meter.StreamedUsageObject is not { } path)
        {
            foreach (var piece in reads)
            {
                meter.Observe(piece.Span);
                output.AddRange(piece.ToArray());
            }

            meter.Complete();
            return (Encoding.UTF8.GetString(output.ToArray()), meter);
        }

        var injector = new SseCostInjector(path, cost);
        meter.InjectCost(injector);
        foreach (var piece in reads)
        {
            meter.Observe(piece.Span);
            output.AddRange(injector.Output.ToArray());
            injector.ClearOutput();
        }

        meter.Complete();
        output.AddRange(injector.Output.ToArray());
        injector.Release();
        Assert.False(meter.Faulted);
        return (Encoding.UTF8.GetString(output.ToArray()), meter);
    }
}
