using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>
/// What a call cost, told to the client (contract section 6): <c>usage.cost</c> injected into streams
/// under <c>include_cost_in_streaming_usage</c>, and <c>x-litellm-response-cost</c> on non-streamed
/// answers — always the number the spend row gets, every other byte unchanged.
/// </summary>
public sealed class CostReportingTests
{
    private const string CostHeader = "x-litellm-response-cost";

    private const string InjectCost =
        """
        litellm_settings:
          include_cost_in_streaming_usage: true
        """;

    private const string OpenAiStreamRequest =
        """{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""";

    private const string AnthropicStreamRequest =
        """{"model":"claude-sonnet-4-5","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    private const string GeminiStreamPath = "gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse";

    private const string GeminiRequest = """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""";

    [Fact]
    public async Task An_openai_stream_gets_the_spend_rows_cost_in_its_usage_chunk()
    {
        await using var env = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey, InjectCost).DefaultTimeout();

        var call = await CallAsync(env.Gateway, "openai/v1/chat/completions", OpenAiStreamRequest);

        Assert.Equal((9 * 0.00000015m) + (2 * 0.0000006m), call.Spend);
        Assert.Equal(WithCost(string.Concat(FakeOpenAi.StreamEvents), "\"total_tokens\":11", "0.00000255", call.Spend), call.Body);
        Assert.False(call.Headers.Contains(CostHeader));
    }

    [Fact]
    public async Task An_anthropic_stream_gets_the_whole_calls_cost_in_message_delta()
    {
        await using var env = await SingleProviderGateway.StartAsync("anthropic", FakeAnthropic.HandleAsync, FakeAnthropic.ApiKey, InjectCost).DefaultTimeout();

        var call = await CallAsync(env.Gateway, "anthropic/v1/messages", AnthropicStreamRequest, AnthropicVersion);

        // Input from message_start (12) and output from message_delta (3).
        Assert.Equal((12 * 0.000003m) + (3 * 0.000015m), call.Spend);
        Assert.Equal(WithCost(string.Concat(FakeAnthropic.StreamEvents), "\"usage\":{\"output_tokens\":3", "0.000081", call.Spend), call.Body);
        Assert.False(call.Headers.Contains(CostHeader));
    }

    [Fact]
    public async Task A_gemini_stream_gets_the_cost_in_the_last_chunks_usage_metadata_only()
    {
        await using var env = await SingleProviderGateway.StartAsync("gemini", FakeGemini.HandleAsync, FakeGemini.ApiKey, InjectCost).DefaultTimeout();

        var call = await CallAsync(env.Gateway, GeminiStreamPath, GeminiRequest);

        // The earlier chunks' cumulative usageMetadata is not final and stays as it was.
        Assert.Equal((5 * 0.0000001m) + (3 * 0.0000004m), call.Spend);
        Assert.Equal(WithCost(string.Concat(FakeGemini.StreamChunks), "\"totalTokenCount\":8", "0.0000017", call.Spend), call.Body);
    }

    [Fact]
    public async Task Claude_on_vertex_stream_raw_predict_gets_the_cost_in_message_delta()
    {
        await using var env = await VertexAiGateway.StartAsync(
            (tokens, vertex) => VertexAiGateway.DefaultConfig(tokens.WriteServiceAccountFile(), vertex.Origin) + "\n" + InjectCost).DefaultTimeout();
        const string Path = $"vertex_ai/v1/projects/{VertexAiGateway.Project}/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict";

        var call = await CallAsync(env.Gateway, Path, """{"anthropic_version":"vertex-2023-10-16","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.True(call.Spend > 0);
        Assert.Equal(WithCost(string.Concat(FakeVertexAi.StreamRawPredictEvents), "\"usage\":{\"output_tokens\":2", null, call.Spend), call.Body);
    }

    [Theory]
    [InlineData("data: ", 1)]
    [InlineData("\"usage\"", 3)]
    [InlineData("}}\n\n", 0)]
    [InlineData("}}\n\n", 1)]
    [InlineData("}}\n\n", 2)]
    [InlineData("}}\n\n", 3)]
    public async Task A_usage_chunk_split_across_reads_is_rewritten_and_the_events_before_it_are_not_held(string marker, int shift)
    {
        var usageEvent = FakeOpenAi.StreamEvents[3];
        var split = usageEvent.IndexOf(marker, StringComparison.Ordinal) + shift;
        var before = string.Concat(FakeOpenAi.StreamEvents.Take(3));
        var secondHalf = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RequestDelegate handler = async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await WriteAndFlushAsync(context, before + usageEvent[..split]);

            // The client must have every earlier event before the rest of the usage chunk is sent.
            await secondHalf.Task;
            await WriteAndFlushAsync(context, usageEvent[split..]);
            await WriteAndFlushAsync(context, FakeOpenAi.StreamEvents[4]);
        };
        await using var env = await SingleProviderGateway.StartAsync("openai", handler, FakeOpenAi.ApiKey, InjectCost).DefaultTimeout();
        using var request = Post(env.Gateway, "openai/v1/chat/completions", OpenAiStreamRequest);

        using var response = await env.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        await using var stream = await response.Content.ReadAsStreamAsync().DefaultTimeout();
        var first = await ReadExactlyAsync(stream, Encoding.UTF8.GetByteCount(before));
        secondHalf.SetResult();
        var rest = await new StreamReader(stream).ReadToEndAsync().DefaultTimeout();
        var row = await SpendRowAsync(env.Gateway, response);

        Assert.Equal(before, first);
        Assert.Equal(WithCost(string.Concat(FakeOpenAi.StreamEvents), "\"total_tokens\":11", "0.00000255", row.GetProperty("spend").GetDecimal()), first + rest);
    }

    [Fact]
    public async Task Without_the_setting_every_stream_is_byte_for_byte_the_providers()
    {
        await using var openAi = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey).DefaultTimeout();
        await using var anthropic = await SingleProviderGateway.StartAsync("anthropic", FakeAnthropic.HandleAsync, FakeAnthropic.ApiKey).DefaultTimeout();
        await using var gemini = await SingleProviderGateway.StartAsync("gemini", FakeGemini.HandleAsync, FakeGemini.ApiKey).DefaultTimeout();

        var openAiCall = await CallAsync(openAi.Gateway, "openai/v1/chat/completions", OpenAiStreamRequest);
        var anthropicCall = await CallAsync(anthropic.Gateway, "anthropic/v1/messages", AnthropicStreamRequest, AnthropicVersion);
        var geminiCall = await CallAsync(gemini.Gateway, GeminiStreamPath, GeminiRequest);

        Assert.Equal(string.Concat(FakeOpenAi.StreamEvents), openAiCall.Body);
        Assert.Equal(string.Concat(FakeAnthropic.StreamEvents), anthropicCall.Body);
        Assert.Equal(string.Concat(FakeGemini.StreamChunks), geminiCall.Body);
        Assert.All([openAiCall, anthropicCall, geminiCall], call =>
        {
            Assert.True(call.Spend > 0);
            Assert.False(call.Headers.Contains(CostHeader));
        });
    }

    [Fact]
    public async Task A_non_streamed_openai_answer_carries_the_spend_rows_cost_in_a_header()
    {
        await using var env = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey).DefaultTimeout();

        var call = await CallAsync(env.Gateway, "openai/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(FakeOpenAi.CompletionJson, call.Body);
        Assert.Equal((9 * 0.00000015m) + (4 * 0.0000006m), call.Spend);
        Assert.Equal("0.00000375", Assert.Single(call.Headers.GetValues(CostHeader)));
    }

    [Fact]
    public async Task A_non_streamed_anthropic_answer_carries_its_cost_in_a_header()
    {
        await using var env = await SingleProviderGateway.StartAsync("anthropic", FakeAnthropic.HandleAsync, FakeAnthropic.ApiKey).DefaultTimeout();

        var call = await CallAsync(env.Gateway, "anthropic/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""", AnthropicVersion);

        Assert.Equal(FakeAnthropic.MessageJson, call.Body);
        Assert.True(call.Spend > 0);
        Assert.Equal(call.Spend, HeaderCost(call));
    }

    [Fact]
    public async Task Bedrock_invoke_model_prices_its_token_count_headers()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"""
            pass_through_providers:
              {FakeBedrock.ProviderEntry(bedrock.Origin)}
            """);

        var call = await CallAsync(gateway, "bedrock/model/anthropic.claude-3-5-haiku-20241022-v1:0/invoke",
            """{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(FakeBedrock.InvokeAnthropicJson, call.Body);
        Assert.Equal((10 * 0.0000008m) + (8 * 0.000004m), call.Spend);
        Assert.Equal(call.Spend, HeaderCost(call));
    }

    [Theory]
    [InlineData("json", "application/json", "{\"ok\":true}")]
    [InlineData("text", "text/plain", "plain words")]
    [InlineData("empty", null, "")]
    public async Task A_custom_endpoint_with_cost_per_request_tells_it_in_a_header(string path, string? contentType, string body)
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            if (contentType is not null)
            {
                context.Response.ContentType = contentType;
                await context.Response.WriteAsync(body);
            }
        }).DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
              pass_through_endpoints:
                - { path: /paid, target: "{{upstream.Origin}}/", include_subpath: true, auth: true, cost_per_request: 0.002 }
            """,
            general: "").DefaultTimeout();

        var call = await CallAsync(gateway, "paid/" + path, "{}");

        Assert.Equal(body, call.Body);
        Assert.Equal(0.002m, call.Spend);
        Assert.Equal("0.002", Assert.Single(call.Headers.GetValues(CostHeader)));
    }

    [Theory]
    [InlineData(900 * 1024, true, true)]
    [InlineData(900 * 1024, false, true)]
    [InlineData(2 * 1024 * 1024, true, false)]
    [InlineData(2 * 1024 * 1024, false, false)]
    public async Task A_json_answer_over_a_mebibyte_passes_intact_without_the_header(int padding, bool contentLength, bool header)
    {
        var json = Encoding.UTF8.GetBytes(
            """{"id":"chatcmpl-big","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"""
            + "\"" + new string('x', padding) + "\""
            + """},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}""");
        RequestDelegate handler = async context =>
        {
            context.Response.ContentType = "application/json";
            if (contentLength)
            {
                context.Response.ContentLength = json.Length;
            }

            for (var at = 0; at < json.Length; at += 64 * 1024)
            {
                await context.Response.Body.WriteAsync(json.AsMemory(at, Math.Min(64 * 1024, json.Length - at)));
                await context.Response.Body.FlushAsync();
            }
        };
        await using var env = await SingleProviderGateway.StartAsync("openai", handler, FakeOpenAi.ApiKey).DefaultTimeout();

        var call = await CallAsync(env.Gateway, "openai/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(Encoding.UTF8.GetString(json), call.Body);
        Assert.Equal((9 * 0.00000015m) + (4 * 0.0000006m), call.Spend);
        Assert.Equal(header, call.Headers.Contains(CostHeader));
        if (header)
        {
            Assert.Equal(call.Spend, HeaderCost(call));
        }
    }

    [Fact]
    public async Task A_json_answer_the_provider_breaks_while_it_is_held_becomes_a_whole_502()
    {
        RequestDelegate handler = async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 1000;
            await WriteAndFlushAsync(context, "{\"id\":\"chatcmpl-cut\",\"choices\":[");
            await Task.Delay(100);
            context.Abort();
        };
        await using var env = await SingleProviderGateway.StartAsync("openai", handler, FakeOpenAi.ApiKey).DefaultTimeout();
        using var request = Post(env.Gateway, "openai/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");

        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout()).RootElement.GetProperty("error");
        var row = await SpendRowAsync(env.Gateway, response);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("502", error.GetProperty("code").GetString());
        Assert.False(response.Headers.Contains(CostHeader));
        Assert.Equal("failure", row.GetProperty("status").GetString());
        Assert.Equal(0m, row.GetProperty("spend").GetDecimal());
    }

    /// <summary>
    /// The provider's stream with <c>,"cost":X</c> inserted right after <paramref name="usageEnd"/> (which must
    /// occur once), X being the spend row's spend and, when given, exactly <paramref name="number"/>.
    /// </summary>
    private static string WithCost(string stream, string usageEnd, string? number, decimal spend)
    {
        var formatted = spend.ToString("0.############################", CultureInfo.InvariantCulture);
        if (number is not null)
        {
            Assert.Equal(number, formatted);
        }

        var at = stream.IndexOf(usageEnd, StringComparison.Ordinal);
        Assert.True(at >= 0 && stream.IndexOf(usageEnd, at + 1, StringComparison.Ordinal) < 0, usageEnd);
        at += usageEnd.Length;
        Assert.Equal('}', stream[at]);
        return stream[..at] + ",\"cost\":" + formatted + stream[at..];
    }

    private static decimal HeaderCost(Call call) =>
        decimal.Parse(Assert.Single(call.Headers.GetValues(CostHeader)), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private static void AnthropicVersion(HttpRequestMessage request) => request.Headers.Add("anthropic-version", "2023-06-01");

    private static HttpRequestMessage Post(GatewayTestEnvironment gateway, string path, string json)
    {
        var request = gateway.Request(HttpMethod.Post, path);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    private static async Task WriteAndFlushAsync(HttpContext context, string text)
    {
        await context.Response.WriteAsync(text);
        await context.Response.Body.FlushAsync();
    }

    private static async Task<string> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().DefaultTimeout();
        return Encoding.UTF8.GetString(buffer);
    }

    /// <returns>The answer the client got and the call's spend row.</returns>
    private static async Task<Call> CallAsync(GatewayTestEnvironment gateway, string path, string json, Action<HttpRequestMessage>? configure = null)
    {
        using var request = Post(gateway, path, json);
        configure?.Invoke(request);
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var row = await SpendRowAsync(gateway, response);
        Assert.Equal("success", row.GetProperty("status").GetString());
        return new Call(body, response.Headers, row.GetProperty("spend").GetDecimal());
    }

    private static Task<JsonElement> SpendRowAsync(GatewayTestEnvironment gateway, HttpResponseMessage response) =>
        GuardrailTestRows.SpendRowAsync(gateway, response.Headers.GetValues("x-litellm-call-id").Single());

    private sealed record Call(string Body, HttpResponseHeaders Headers, decimal Spend);
}
