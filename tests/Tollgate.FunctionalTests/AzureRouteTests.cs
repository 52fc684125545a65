using System.Net;
using System.Text;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>The /azure route: <c>api-key</c> credential, deployment path and <c>api-version</c> query kept.</summary>
public sealed class AzureRouteTests : IAsyncLifetime
{
    private const string ChatPath = "openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

    private SingleProviderGateway _env = null!;

    private FakeUpstream Azure => _env.Upstream;

    private GatewayTestEnvironment Gateway => _env.Gateway;

    public async Task InitializeAsync() =>
        _env = await SingleProviderGateway.StartAsync("azure", FakeAzureOpenAi.HandleAsync, FakeAzureOpenAi.ApiKey).DefaultTimeout();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Virtual_key_in_api_key_header_is_swapped_and_api_version_is_kept()
    {
        var body = Encoding.UTF8.GetBytes("{\"messages\":[{\"role\":\"user\",\"content\":\"hi \u00e9\"}],  \"max_tokens\":5}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "azure/" + ChatPath) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("api-key", GatewayTestEnvironment.VirtualKey);

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();
        var answer = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetBytes(FakeAzureOpenAi.CompletionJson), answer);
        var seen = Azure.LastRequest;
        Assert.Equal("/" + ChatPath, seen.RawTarget);
        Assert.Equal(FakeAzureOpenAi.ApiKey, seen.Header("api-key"));
        Assert.Equal(body, seen.Body);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task Virtual_key_as_bearer_token_is_swapped_and_no_authorization_header_reaches_azure()
    {
        using var request = Gateway.Request(HttpMethod.Post, "azure/" + ChatPath);
        request.Content = new StringContent("""{"messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeAzureOpenAi.ApiKey, Azure.LastRequest.Header("api-key"));
        Assert.Null(Azure.LastRequest.Header("Authorization"));
    }

    [Fact]
    public async Task Provider_key_error_reaches_the_client_unchanged()
    {
        await using var wrongKey = await SingleProviderGateway.StartAsync("azure", FakeAzureOpenAi.HandleAsync, "azure-revoked").DefaultTimeout();
        using var request = wrongKey.Gateway.Request(HttpMethod.Post, "azure/" + ChatPath);
        request.Content = new StringContent("""{"messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await wrongKey.Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(FakeAzureOpenAi.InvalidKeyJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
    }
}
