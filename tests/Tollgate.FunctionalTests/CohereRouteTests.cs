using System.Net;
using System.Text;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>The /cohere route: Bearer credential swapped on Cohere's v2 chat and rerank APIs, reranks priced per search unit.</summary>
public sealed class CohereRouteTests : IAsyncLifetime
{
    private SingleProviderGateway _env = null!;

    private FakeUpstream Cohere => _env.Upstream;

    private GatewayTestEnvironment Gateway => _env.Gateway;

    public async Task InitializeAsync() =>
        _env = await SingleProviderGateway.StartAsync("cohere", FakeCohere.HandleAsync, FakeCohere.ApiKey).DefaultTimeout();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task V2_chat_reaches_cohere_with_the_real_bearer_key_and_bodies_unchanged()
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"command-r-plus-08-2024\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}] }");
        using var request = Gateway.Request(HttpMethod.Post, "cohere/v2/chat");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();
        var answer = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetBytes(FakeCohere.ChatJson), answer);
        var seen = Cohere.LastRequest;
        Assert.Equal("/v2/chat", seen.RawTarget);
        Assert.Equal("Bearer " + FakeCohere.ApiKey, seen.Header("Authorization"));
        Assert.Equal(body, seen.Body);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task A_rerank_costs_the_per_query_price_for_each_billed_search_unit()
    {
        using var request = Gateway.Request(HttpMethod.Post, "cohere/v2/rerank");
        request.Content = new StringContent("""{"model":"rerank-v3.5","query":"capital of France","documents":["Berlin","Paris"]}""", Encoding.UTF8, "application/json");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeCohere.RerankJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        // rerank-v3.5 lists input_cost_per_query 0.002 USD; Cohere billed 2 search units.
        Assert.Equal("0.004", response.Headers.GetValues("x-litellm-response-cost").Single());
    }

    [Fact]
    public async Task Provider_key_error_reaches_the_client_unchanged()
    {
        await using var wrongKey = await SingleProviderGateway.StartAsync("cohere", FakeCohere.HandleAsync, "cohere-revoked").DefaultTimeout();
        using var request = wrongKey.Gateway.Request(HttpMethod.Post, "cohere/v2/chat");
        request.Content = new StringContent("""{"model":"command-r","messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await wrongKey.Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(FakeCohere.InvalidKeyJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
    }
}
