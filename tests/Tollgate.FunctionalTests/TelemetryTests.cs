using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>The gateway's own time on every answer, one span per call, and OTLP export when configured.</summary>
public sealed class TelemetryTests
{
    private const string Chat = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task Answers_carry_the_gateway_overhead_and_metrics_count_it()
    {
        await using var env = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey).DefaultTimeout();
        using var response = await ChatAsync(env.Gateway);

        var overhead = double.Parse(response.Headers.GetValues("x-litellm-overhead-duration-ms").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(overhead, 0, 5_000);
        await env.Gateway.MetricsWhenAsync("""tollgate_gateway_overhead_seconds_count{provider="openai"} 1""");
    }

    [Fact]
    public async Task Gateway_time_leaves_out_the_wait_for_the_provider()
    {
        // The gateway runs on a clock that moves only while the provider holds the call: 3 s before its headers.
        // Every other part of the call takes no time on it, so the duration is exactly the provider's 3 s and the
        // gateway's own time exactly 0. (How waits between a stream's events count: MeteredResponseStreamTimingTests.)
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        async Task SlowStream(HttpContext context)
        {
            time.Advance(TimeSpan.FromSeconds(3));
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 3; i++)
            {
                await context.Response.WriteAsync($$$"""data: {"id":"chatcmpl-1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"{{{i}}}"}}]}""" + "\n\n");
                await context.Response.Body.FlushAsync();
            }

            await context.Response.WriteAsync("data: [DONE]\n\n");
        }

        await using var upstream = await FakeUpstream.StartAsync(SlowStream);
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"pass_through_providers: {{ openai: {{ api_key: {FakeOpenAi.ApiKey}, api_base: \"{upstream.Origin}\" }} }}", time: time);
        using (var response = await ChatAsync(gateway))
        {
            Assert.Contains("data: [DONE]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var metrics = await gateway.MetricsWhenAsync("""tollgate_gateway_overhead_seconds_count{provider="openai"} 1""");
        Assert.Equal(3, GatewayTestEnvironment.MetricValue(metrics, """tollgate_request_duration_seconds_sum{provider="openai"}"""));
        Assert.Equal(0, GatewayTestEnvironment.MetricValue(metrics, """tollgate_gateway_overhead_seconds_sum{provider="openai"}"""));
    }

    [Fact]
    public async Task Each_call_gets_a_span_with_provider_model_status_and_tokens_but_no_key()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Tollgate",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var env = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey).DefaultTimeout();

        using var response = await ChatAsync(env.Gateway);
        var callId = response.Headers.GetValues("x-litellm-call-id").Single();

        var span = await Poll.UntilAsync(
            () => Task.FromResult(spans.FirstOrDefault(s => s.GetTagItem("tollgate.call_id") as string == callId)),
            found => found is not null,
            _ => "the call's span never ended");

        Assert.NotNull(span);
        Assert.Equal("tollgate.pass_through", span.OperationName);
        Assert.Equal("openai", span.GetTagItem("tollgate.provider"));
        Assert.Equal("gpt-4o-mini", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(200, span.GetTagItem("http.response.status_code"));
        Assert.Equal(9L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(4L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.DoesNotContain(span.TagObjects, tag => tag.Value?.ToString()?.Contains(GatewayTestEnvironment.VirtualKey, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Spans_are_exported_over_otlp_when_an_endpoint_is_set()
    {
        var received = new ConcurrentQueue<byte[]>();
        await using var collector = await FakeUpstream.StartAsync(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue(body.ToArray());
            context.Response.ContentType = "application/x-protobuf";
        });
        await using var upstream = await FakeUpstream.StartAsync(FakeOpenAi.HandleAsync);
        var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"pass_through_providers: {{ openai: {{ api_key: {FakeOpenAi.ApiKey}, api_base: \"{upstream.Origin}\" }} }}",
            new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Origin + "/",
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            });
        await using (gateway)
        {
            using var response = await ChatAsync(gateway);
        }

        // Stopping the gateway flushes the batch exporter.
        Assert.Contains(collector.Requests, r => r.RawTarget == "/v1/traces");
        var exported = string.Concat(received.Select(Encoding.UTF8.GetString));
        Assert.Contains("tollgate.pass_through", exported, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, exported, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> ChatAsync(GatewayTestEnvironment gateway)
    {
        using var request = gateway.Request(HttpMethod.Post, "openai/v1/chat/completions");
        request.Content = new StringContent(Chat, Encoding.UTF8, "application/json");
        var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        Assert.True(response.IsSuccessStatusCode);
        return response;
    }
}
