using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Token usage read from provider answers as they pass through, priced with the built-in table, lands
/// in the spend row — while the client gets the provider's bytes unchanged.
/// </summary>
public sealed class MeteringTests
{
    [Fact]
    public async Task An_openai_stream_is_metered_from_its_usage_chunk()
    {
        await using var env = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey).DefaultTimeout();
        var (body, row) = await CallAsync(env.Gateway, "openai/v1/chat/completions",
            """{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(string.Concat(FakeOpenAi.StreamEvents), body);
        AssertRow(row, "gpt-4o-mini", prompt: 9, completion: 2, spend: (9 * 0.00000015m) + (2 * 0.0000006m), stream: true);
    }

    [Fact]
    public async Task An_anthropic_stream_counts_message_start_and_message_delta_once()
    {
        await using var env = await SingleProviderGateway.StartAsync("anthropic", FakeAnthropic.HandleAsync, FakeAnthropic.ApiKey).DefaultTimeout();
        var (_, row) = await CallAsync(env.Gateway, "anthropic/v1/messages",
            """{"model":"claude-sonnet-4-5","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}""",
            request => request.Headers.Add("anthropic-version", "2023-06-01"));

        AssertRow(row, "claude-sonnet-4-5", prompt: 12, completion: 3, spend: (12 * 0.000003m) + (3 * 0.000015m), stream: true);
    }

    [Fact]
    public async Task A_gemini_stream_counts_its_last_usage_metadata_once()
    {
        await using var env = await SingleProviderGateway.StartAsync("gemini", FakeGemini.HandleAsync, FakeGemini.ApiKey).DefaultTimeout();
        var (_, row) = await CallAsync(env.Gateway, "gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
            """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""");

        AssertRow(row, "gemini-2.0-flash", prompt: 5, completion: 3, spend: (5 * 0.0000001m) + (3 * 0.0000004m), stream: true);
    }

    [Fact]
    public async Task A_bedrock_converse_stream_is_metered_from_its_metadata_frame()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"""
            pass_through_providers:
              {FakeBedrock.ProviderEntry(bedrock.Origin)}
            """);
        var (_, row) = await CallAsync(gateway, "bedrock/model/anthropic.claude-3-5-haiku-20241022-v1:0/converse-stream",
            """{"messages":[{"role":"user","content":[{"text":"hi"}]}]}""");

        AssertRow(row, "anthropic.claude-3-5-haiku-20241022-v1:0", prompt: 9, completion: 2, spend: (9 * 0.0000008m) + (2 * 0.000004m), stream: true);
    }

    [Fact]
    public async Task A_non_streamed_answer_is_metered_from_its_body()
    {
        await using var env = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey).DefaultTimeout();
        var (body, row) = await CallAsync(env.Gateway, "openai/v1/chat/completions",
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(FakeOpenAi.CompletionJson, body);
        AssertRow(row, "gpt-4o-mini", prompt: 9, completion: 4, spend: (9 * 0.00000015m) + (4 * 0.0000006m), stream: false);
    }

    [Fact]
    public async Task The_tpm_limit_counts_metered_tokens()
    {
        await using var env = await SingleProviderGateway.StartAsync("openai", FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey).DefaultTimeout();
        var key = (await env.Gateway.GenerateKeyAsync("""{"tpm_limit":20}""")).GetProperty("key").GetString()!;
        const string Chat = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""";

        // Each answer uses 13 tokens: the third call finds 26 of 20 spent in the last minute.
        await CallAsync(env.Gateway, "openai/v1/chat/completions", Chat, r => Authorize(r, key));
        await CallAsync(env.Gateway, "openai/v1/chat/completions", Chat, r => Authorize(r, key));
        using var third = env.Gateway.Request(HttpMethod.Post, "openai/v1/chat/completions", key);
        third.Content = new StringContent(Chat, Encoding.UTF8, "application/json");
        using var refused = await env.Gateway.Client.SendAsync(third).DefaultTimeout();

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("tokens per minute", await refused.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
    }

    private static void Authorize(HttpRequestMessage request, string key)
    {
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
    }

    private static void AssertRow(JsonElement row, string model, long prompt, long completion, decimal spend, bool stream)
    {
        Assert.Equal(model, row.GetProperty("model").GetString());
        Assert.Equal(prompt, row.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(completion, row.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(prompt + completion, row.GetProperty("total_tokens").GetInt64());
        Assert.Equal(spend, row.GetProperty("spend").GetDecimal());
        Assert.Equal(stream, row.GetProperty("stream").GetBoolean());
        Assert.False(row.GetProperty("usage_estimated").GetBoolean());
        Assert.Equal("success", row.GetProperty("status").GetString());
    }

    /// <returns>The body the client got, and the call's spend row once written.</returns>
    private static async Task<(string Body, JsonElement Row)> CallAsync(GatewayTestEnvironment gateway, string path, string json, Action<HttpRequestMessage>? configure = null)
    {
        using var request = gateway.Request(HttpMethod.Post, path);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        configure?.Invoke(request);
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var callId = response.Headers.GetValues("x-litellm-call-id").Single();
        return (body, await GuardrailTestRows.SpendRowAsync(gateway, callId));
    }
}
