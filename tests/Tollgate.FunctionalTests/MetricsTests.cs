using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary><c>GET /metrics</c>: calls, tokens, spend and refusals in Prometheus text, with no key or secret in any label.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Calls_tokens_spend_and_refusals_are_counted_without_secrets()
    {
        await using var env = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey).DefaultTimeout();
        var gateway = env.Gateway;
        var key = (await gateway.GenerateKeyAsync("""{"rpm_limit":1}""")).GetProperty("key").GetString()!;

        Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway, key));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ChatAsync(gateway, key));
        var text = await gateway.MetricsWhenAsync("""tollgate_requests_total{provider="openai",route="/openai",status_code="200"} 1""");

        Assert.Contains("""tollgate_requests_total{provider="openai",route="/openai",status_code="429"} 1""", text, StringComparison.Ordinal);
        Assert.Contains("""tollgate_tokens_total{provider="openai",model="gpt-4o-mini",kind="input"} 9""", text, StringComparison.Ordinal);
        Assert.Contains("""tollgate_tokens_total{provider="openai",model="gpt-4o-mini",kind="output"} 4""", text, StringComparison.Ordinal);
        Assert.Contains("""tollgate_spend_usd_total{provider="openai",model="gpt-4o-mini"}""", text, StringComparison.Ordinal);
        Assert.Contains("""tollgate_rejections_total{type="rate_limit_error"} 1""", text, StringComparison.Ordinal);
        Assert.Contains("tollgate_spend_queue_depth", text, StringComparison.Ordinal);
        Assert.Contains("tollgate_spend_rows_written_total", text, StringComparison.Ordinal);
        Assert.Contains("process_cpu_seconds_total", text, StringComparison.Ordinal);
        Assert.Contains("process_working_set_bytes", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_collection_count_total", text, StringComparison.Ordinal);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeOpenAi.ApiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_model_names_share_one_label()
    {
        await using var env = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey).DefaultTimeout();
        using var request = env.Gateway.Request(HttpMethod.Post, "openai/v1/chat/completions");
        request.Content = new StringContent("""{"model":"made-up-model-x","messages":[]}""", Encoding.UTF8, "application/json");
        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();

        // The fake answers as gpt-4o-mini whatever was asked: the label follows the model the response names.
        var text = await env.Gateway.MetricsWhenAsync("tollgate_tokens_total{");
        Assert.DoesNotContain("made-up-model-x", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spellings_of_one_priced_model_share_its_listed_name_as_label()
    {
        // Answers as whatever model was asked for, so the client chooses the name metering reads.
        static async Task EchoModel(HttpContext context)
        {
            using var request = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
            var model = request.RootElement.GetProperty("model").GetString();
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                System.Text.Json.JsonSerializer.Serialize(new { id = "chatcmpl-1", model, usage = new { prompt_tokens = 10, completion_tokens = 1, total_tokens = 11 } }));
        }

        await using var env = await SingleProviderGateway.StartAsync("openai", EchoModel, FakeOpenAi.ApiKey).DefaultTimeout();
        foreach (var model in new[] { "gpt-4o-mini", "GPT-4o-mini", "openai/gpt-4o-mini-2031-01-01", "made-up-model-1", "made-up-model-2" })
        {
            using var request = env.Gateway.Request(HttpMethod.Post, "openai/v1/chat/completions");
            request.Content = new StringContent($$"""{"model":"{{model}}","messages":[]}""", Encoding.UTF8, "application/json");
            using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var text = await env.Gateway.MetricsWhenAsync("""tollgate_requests_total{provider="openai",route="/openai",status_code="200"} 5""");
        Assert.Contains("""tollgate_tokens_total{provider="openai",model="gpt-4o-mini",kind="input"} 30""", text, StringComparison.Ordinal);
        Assert.Contains("""tollgate_tokens_total{provider="openai",model="other",kind="input"} 20""", text, StringComparison.Ordinal);
        Assert.DoesNotContain("2031", text, StringComparison.Ordinal);
        Assert.DoesNotContain("GPT-4o", text, StringComparison.Ordinal);
        Assert.DoesNotContain("made-up", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_that_breaks_off_mid_answer_counts_as_an_upstream_error()
    {
        var firstEventRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task BreakOff(HttpContext context)
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"id\":\"chatcmpl-1\",\"choices\":[]}\n\n");
            await context.Response.Body.FlushAsync();
            await firstEventRead.Task;
            context.Abort();
        }

        await using var env = await SingleProviderGateway.StartAsync("openai", BreakOff, FakeOpenAi.ApiKey).DefaultTimeout();
        using var request = env.Gateway.Request(HttpMethod.Post, "openai/v1/chat/completions");
        request.Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"messages":[]}""", Encoding.UTF8, "application/json");
        using var response = await env.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: ", await reader.ReadLineAsync().DefaultTimeout(), StringComparison.Ordinal);
        firstEventRead.SetResult();
        await Assert.ThrowsAnyAsync<IOException>(() => reader.ReadToEndAsync().DefaultTimeout());

        var text = await env.Gateway.MetricsWhenAsync("""tollgate_upstream_errors_total{provider="openai",route="/openai",error="ResponseBodyDestination"} 1""");
        Assert.Contains("""tollgate_requests_total{provider="openai",route="/openai",status_code="200"} 1""", text, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> ChatAsync(GatewayTestEnvironment gateway, string key)
    {
        using var request = gateway.Request(HttpMethod.Post, "openai/v1/chat/completions", key);
        request.Content = new StringContent("""{"model":"gpt-4o-mini","messages":[]}""", Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        return response.StatusCode;
    }

}
