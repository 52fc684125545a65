using System.Net;
using System.Text;
using System.Text.Json;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>A provider route without its credential or upstream answers a 5xx naming the missing setting and never forwards.</summary>
public sealed class ProviderNotConfiguredTests
{
    [Fact]
    public async Task Anthropic_without_a_key_names_ANTHROPIC_API_KEY_and_does_not_forward()
    {
        await using var env = await SingleProviderGateway.StartAsync("anthropic", FakeAnthropic.HandleAsync, apiKey: null).DefaultTimeout();
        using var request = env.Gateway.Request(HttpMethod.Post, "anthropic/v1/messages");
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();

        var error = await AssertContractErrorAsync(response);
        Assert.Contains("ANTHROPIC_API_KEY", error.GetProperty("message").GetString());
        Assert.Empty(env.Upstream.Requests);
    }

    [Fact]
    public async Task Azure_without_an_api_base_names_AZURE_API_BASE()
    {
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            """
            pass_through_providers:
              azure: { api_key: azure-key-without-base }
            """).DefaultTimeout();
        using var request = gateway.Request(HttpMethod.Post, "azure/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
        request.Content = new StringContent("""{"messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        var error = await AssertContractErrorAsync(response);
        Assert.Contains("AZURE_API_BASE", error.GetProperty("message").GetString());
        Assert.DoesNotContain("azure-key-without-base", error.GetRawText());

        // The operator's mistake, not the client's: said at Warning, where a client's refusal is Debug.
        var logged = await gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RequestRejected).DefaultTimeout();
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, logged.Level);
    }

    private static async Task<JsonElement> AssertContractErrorAsync(HttpResponseMessage response)
    {
        Assert.True((int)response.StatusCode >= 500, $"expected a 5xx, got {(int)response.StatusCode}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Equal(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), error.GetProperty("code").GetString());
        return error.Clone();
    }
}
