using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Request bodies reach the provider byte for byte, whichever way the gateway sends them: a small body that
/// has fully arrived goes out with the headers in one write, anything else streams.
/// </summary>
public sealed class RequestBodyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3 * 1024 - 1)]
    [InlineData(3 * 1024)]
    [InlineData(3 * 1024 + 1)]
    [InlineData(256 * 1024)]
    public async Task A_body_of_any_size_arrives_unchanged_with_its_content_headers(int size)
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await OpenAiGatewayAsync(upstream);
        var body = Body(size);
        using var request = gateway.Request(HttpMethod.Post, "openai/v1/chat/completions");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = upstream.LastRequest;
        Assert.Equal(body, received.Body);
        Assert.Equal(size.ToString(System.Globalization.CultureInfo.InvariantCulture), received.Header("Content-Length"));
        Assert.Equal("application/json; charset=utf-8", received.Header("Content-Type"));
        Assert.Null(received.Header("Transfer-Encoding"));
    }

    [Fact]
    public async Task Bodies_held_in_memory_beyond_the_gateways_budget_wait_with_503_and_the_budget_comes_back()
    {
        await using var gated = await GatedUpstream.StartAsync();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            pass_through_providers:
              openai: { api_key: sk-real, api_base: "{{gated.Upstream.Origin}}" }
            """,
            general: "  max_request_size_mb: 1\n  max_buffered_request_mb: 1.5");
        // A models list makes the gateway read each JSON body for its model before forwarding it.
        var key = (await gateway.GenerateKeyAsync("""{"models":["gpt-4o-mini"]}""")).GetProperty("key").GetString()!;
        var body = $$"""{"model":"gpt-4o-mini","input":"{{new string('a', 900 * 1024)}}"}""";

        var held = CallAsync(gateway, key, body);
        await gated.WaitForArrivedAsync(1);
        var metrics = await gateway.Client.GetStringAsync("metrics").DefaultTimeout();
        Assert.True(GatewayTestEnvironment.MetricValue(metrics, "tollgate_buffered_request_bytes") >= 900 * 1024, metrics);
        using (var refused = await CallAsync(gateway, key, body))
        {
            var answer = await refused.Content.ReadAsStringAsync().DefaultTimeout();
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, answer);
            Assert.Contains("\"type\":\"gateway_overloaded\"", answer, StringComparison.Ordinal);
            Assert.Contains("max_buffered_request_mb", answer, StringComparison.Ordinal);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        gated.Release();
        using (var first = await held)
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await gateway.MetricsWhenAsync("tollgate_buffered_request_bytes 0\n");
        using var after = await CallAsync(gateway, key, body);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(2, gated.Arrived);
    }

    [Fact]
    public async Task A_small_body_still_on_its_way_streams_to_the_provider_intact()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await OpenAiGatewayAsync(upstream);
        var body = Body(2000);
        using var request = gateway.Request(HttpMethod.Post, "openai/v1/chat/completions");
        request.Content = new SlowContent(body, pause: TimeSpan.FromMilliseconds(300));

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, upstream.LastRequest.Body);
        Assert.Equal("2000", upstream.LastRequest.Header("Content-Length"));
    }

    [Fact]
    public async Task Many_calls_on_one_connection_each_carry_their_own_body()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            await context.Response.WriteAsync(await reader.ReadToEndAsync());
        });
        await using var gateway = await OpenAiGatewayAsync(upstream);

        for (var i = 0; i < 50; i++)
        {
            var json = $$"""{"model":"gpt-4o-mini","n":{{i}}}""";
            using var request = gateway.Request(HttpMethod.Post, "openai/v1/chat/completions");
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
            Assert.Equal(json, await response.Content.ReadAsStringAsync());
        }
    }

    private static Task<GatewayTestEnvironment> OpenAiGatewayAsync(FakeUpstream upstream) =>
        GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            pass_through_providers:
              openai: { api_key: sk-real-openai, api_base: "{{upstream.Origin}}" }
            """);

    private static byte[] Body(int size)
    {
        var body = new byte[size];
        for (var i = 0; i < size; i++)
        {
            body[i] = (byte)('a' + (i % 26));
        }

        return body;
    }

    /// <summary>Sends the first half, waits, then the rest: the gateway sees an incomplete body when it forwards.</summary>
    private sealed class SlowContent(byte[] body, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = body.Length / 2;
            await stream.WriteAsync(body.AsMemory(0, half));
            await stream.FlushAsync();
            await Task.Delay(pause);
            await stream.WriteAsync(body.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    private static async Task<HttpResponseMessage> CallAsync(GatewayTestEnvironment gateway, string key, string json)
    {
        using var request = gateway.Request(HttpMethod.Post, "openai/v1/responses", key);
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return await gateway.Client.SendAsync(request).DefaultTimeout();
    }
}
