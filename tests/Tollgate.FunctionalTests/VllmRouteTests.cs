using System.Net;
using System.Text;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>The /vllm route: a self-hosted server that may or may not have a key.</summary>
public sealed class VllmRouteTests
{
    private const string CompletionBody = """{"model":"meta-llama/Llama-3.1-8B-Instruct","prompt":"Hello","max_tokens":2}""";

    [Fact]
    public async Task With_a_key_configured_the_real_bearer_key_is_sent()
    {
        await using var env = await SingleProviderGateway.StartAsync("vllm", FakeVllm.Handler(FakeVllm.ApiKey), FakeVllm.ApiKey).DefaultTimeout();

        using var response = await SendCompletionAsync(env.Gateway).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeVllm.CompletionJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        var seen = env.Upstream.LastRequest;
        Assert.Equal("Bearer " + FakeVllm.ApiKey, seen.Header("Authorization"));
        Assert.Equal(CompletionBody, seen.BodyText);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task Without_a_key_configured_no_authorization_header_is_sent()
    {
        await using var env = await SingleProviderGateway.StartAsync("vllm", FakeVllm.Handler(requiredKey: null), apiKey: null).DefaultTimeout();

        using var response = await SendCompletionAsync(env.Gateway).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeVllm.CompletionJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        var seen = env.Upstream.LastRequest;
        Assert.Null(seen.Header("Authorization"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task Without_a_key_configured_a_virtual_key_is_still_required()
    {
        await using var env = await SingleProviderGateway.StartAsync("vllm", FakeVllm.Handler(requiredKey: null), apiKey: null).DefaultTimeout();

        using var request = env.Gateway.Request(HttpMethod.Post, "vllm/v1/completions", key: null);
        request.Content = new StringContent(CompletionBody, Encoding.UTF8, "application/json");
        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(env.Upstream.Requests);
    }

    private static async Task<HttpResponseMessage> SendCompletionAsync(GatewayTestEnvironment gateway)
    {
        using var request = gateway.Request(HttpMethod.Post, "vllm/v1/completions");
        request.Content = new StringContent(CompletionBody, Encoding.UTF8, "application/json");
        return await gateway.Client.SendAsync(request).DefaultTimeout();
    }
}
