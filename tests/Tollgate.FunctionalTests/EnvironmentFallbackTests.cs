using System.Net;
using System.Text;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>Without a <c>pass_through_providers</c> entry, providers use LiteLLM's environment variables.</summary>
public sealed class EnvironmentFallbackTests
{
    [Fact]
    public async Task Start_up_lists_the_files_the_environments_and_the_providers_problems_together()
    {
        var error = await Assert.ThrowsAsync<Tollgate.Configuration.ConfigurationException>(() => GatewayTestEnvironment.StartAsync(
            """
            general_settings:
              max_request_size_mb: lots
            pass_through_providers:
              bedrock: { aws_access_key_id: AKIA0000000000000000, aws_secret_access_key: s, aws_region_name: "evil.com/x" }
            """,
            new Dictionary<string, string>
            {
                ["DATABASE_URL"] = "mysql://db/tollgate",
                ["REDIS_URL"] = "not a url",
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/json",
            }));

        Assert.Contains("general_settings.max_request_size_mb", error.Message, StringComparison.Ordinal);
        Assert.Contains("OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json'", error.Message, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("REDIS_URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("aws_region_name: 'evil.com/x' is not a region name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mistral_routes_and_authenticates_from_MISTRAL_API_KEY_and_MISTRAL_API_BASE()
    {
        await using var mistral = await FakeUpstream.StartAsync(FakeMistral.HandleAsync).DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", new Dictionary<string, string>
        {
            ["MISTRAL_API_KEY"] = FakeMistral.ApiKey,
            ["MISTRAL_API_BASE"] = mistral.Origin,
        }).DefaultTimeout();
        using var request = gateway.Request(HttpMethod.Post, "mistral/v1/chat/completions");
        request.Content = new StringContent("""{"model":"mistral-small-latest","messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeMistral.CompletionJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("Bearer " + FakeMistral.ApiKey, mistral.LastRequest.Header("Authorization"));
    }

    [Fact]
    public async Task Azure_routes_from_AZURE_API_KEY_and_AZURE_API_BASE()
    {
        await using var azure = await FakeUpstream.StartAsync(FakeAzureOpenAi.HandleAsync).DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", new Dictionary<string, string>
        {
            ["AZURE_API_KEY"] = FakeAzureOpenAi.ApiKey,
            ["AZURE_API_BASE"] = azure.Origin,
        }).DefaultTimeout();
        using var request = gateway.Request(HttpMethod.Post, "azure/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
        request.Content = new StringContent("""{"messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeAzureOpenAi.ApiKey, azure.LastRequest.Header("api-key"));
    }

    [Fact]
    public async Task Config_entry_with_only_a_key_takes_its_base_from_the_environment()
    {
        await using var anthropic = await FakeUpstream.StartAsync(FakeAnthropic.HandleAsync).DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            """
            pass_through_providers:
              anthropic: { api_key: os.environ/MY_ANTHROPIC_KEY }
            """,
            new Dictionary<string, string>
            {
                ["MY_ANTHROPIC_KEY"] = FakeAnthropic.ApiKey,
                ["ANTHROPIC_API_BASE"] = anthropic.Origin,
            }).DefaultTimeout();
        using var request = gateway.Request(HttpMethod.Post, "anthropic/v1/messages");
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeAnthropic.ApiKey, anthropic.LastRequest.Header("x-api-key"));
    }
}
