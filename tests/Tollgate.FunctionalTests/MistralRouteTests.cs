using System.Net;
using System.Text;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>The /mistral route, and every HTTP method with its query string on a provider route.</summary>
public sealed class MistralRouteTests : IAsyncLifetime
{
    private SingleProviderGateway _env = null!;

    private FakeUpstream Mistral => _env.Upstream;

    private GatewayTestEnvironment Gateway => _env.Gateway;

    public async Task InitializeAsync() =>
        _env = await SingleProviderGateway.StartAsync("mistral", FakeMistral.HandleAsync, FakeMistral.ApiKey).DefaultTimeout();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Chat_completion_reaches_mistral_with_the_real_bearer_key()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"mistral-small-latest","messages":[{"role":"user","content":"hi"}]}""");
        using var request = Gateway.Request(HttpMethod.Post, "mistral/v1/chat/completions");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeMistral.CompletionJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        var seen = Mistral.LastRequest;
        Assert.Equal("Bearer " + FakeMistral.ApiKey, seen.Header("Authorization"));
        Assert.Equal(body, seen.Body);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Theory]
    [InlineData("GET", "/v1/models?page=2&filter=a%20b", null, FakeMistral.ModelsJson)]
    [InlineData("DELETE", "/v1/models/ft:mistral-small:abc?force=true", null, """{"id":"ft:mistral-small:abc","object":"model","deleted":true}""")]
    [InlineData("PATCH", "/v1/fine_tuning/models/ft:abc?notify=0", """{"name":"renamed"}""", """{"id":"ft:abc","object":"model","update":{"name":"renamed"}}""")]
    [InlineData("PUT", "/v1/agents/ag_1?version=3", """{"name":"agent"}""", """{"detail":"Not Found"}""")]
    public async Task Every_method_is_forwarded_with_its_path_query_and_body(string method, string target, string? body, string expectedAnswer)
    {
        using var request = Gateway.Request(new HttpMethod(method), "mistral" + target);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(expectedAnswer, await response.Content.ReadAsStringAsync().DefaultTimeout());
        var seen = Mistral.LastRequest;
        Assert.Equal(method, seen.Method);
        Assert.Equal(target, seen.RawTarget);
        Assert.Equal(body ?? "", seen.BodyText);
        Assert.Equal("Bearer " + FakeMistral.ApiKey, seen.Header("Authorization"));
    }
}
