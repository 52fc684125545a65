using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
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
    public async Task Gateway_time_leaves_out_the_waits_for_the_provider_streams_included()
    {
        // 300 ms before the headers, then three events 200 ms apart: the call lasts about 0.9 s, nearly all of it the provider's.
        static async Task SlowStream(HttpContext context)
        {
            await Task.Delay(300);
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 3; i++)
            {
                await context.Response.WriteAsync($$$"""data: {"id":"chatcmpl-1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"{{{i}}}"}}]}""" + "\n\n");
                await context.Response.Body.FlushAsync();
                await Task.Delay(200);
            }

            await context.Response.WriteAsync("data: [DONE]\n\n");
        }

        await using var env = await SingleProviderGateway.StartAsync("openai", SlowStream, FakeOpenAi.ApiKey).DefaultTimeout();
        var sums = new List<(double Duration, double Gateway)>();
        for (var call = 1; call <= 2; call++)
        {
            // The first call also warms the gateway up (JIT, key cache), so the second is the one judged.
            using (var response = await ChatAsync(env.Gateway))
            {
                Assert.Contains("data: [DONE]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var metrics = await env.Gateway.MetricsWhenAsync($$"""tollgate_gateway_overhead_seconds_count{provider="openai"} {{call}}""");
            sums.Add((GatewayTestEnvironment.MetricValue(metrics, """tollgate_request_duration_seconds_sum{provider="openai"}"""), GatewayTestEnvironment.MetricValue(metrics, """tollgate_gateway_overhead_seconds_sum{provider="openai"}""")));
        }

        Assert.InRange(sums[1].Duration - sums[0].Duration, 0.85, 30);
        Assert.InRange(sums[1].Gateway - sums[0].Gateway, 0, 0.15);
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
