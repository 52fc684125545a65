using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Another spelling of the same path (escaped letters, an extra slash) is the same path to the
/// provider, so it must be the same path to every check: the key's models, metering and pricing.
/// Sent over a raw socket, since HttpClient would normalise the escapes away.
/// </summary>
public sealed class CanonicalPathTests
{
    private const string GeminiFlashOnly = """{"models":["gemini-1.5-flash","anthropic.claude-3-5-haiku-20241022-v1:0","gpt-4o-mini"]}""";

    public static TheoryData<string> OtherSpellingsOfAForbiddenModel() =>
    [
        "/gemini/v1beta/%6Dodels/gemini-1.5-pro:generateContent",
        "/gemini/v1beta/%6dodels/gemini-1.5-pro:generateContent",
        "/gemini/v1beta//models/gemini-1.5-pro:generateContent",
        "/gemini/v1beta/models/%67emini-1.5-pro:generateContent",
        "/azure/openai/%64eployments/gpt-4o/chat/completions?api-version=2024-10-21",
        "/bedrock/%6Dodel/anthropic.claude-3-opus-20240229-v1:0/converse",
        "/bedrock//model/anthropic.claude-3-opus-20240229-v1:0/converse",
        "/%62edrock/model/anthropic.claude-3-opus-20240229-v1:0/converse",
    ];

    [Theory]
    [MemberData(nameof(OtherSpellingsOfAForbiddenModel))]
    public async Task A_models_list_holds_whatever_the_spelling_of_the_path(string target)
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await GatewayFor(upstream.Origin);
        var key = (await gateway.GenerateKeyAsync(GeminiFlashOnly)).GetProperty("key").GetString()!;

        var (status, response) = await RawHttp.SendAsync(gateway.BaseUri, target, $"Authorization: Bearer {key}\r\n", json: """{"contents":[]}""");

        Assert.True(status == 403, response);
        Assert.Contains("may not use the model", response, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task An_allowed_model_spelled_with_escapes_is_forwarded_in_its_canonical_form()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await GatewayFor(upstream.Origin);
        var key = (await gateway.GenerateKeyAsync(GeminiFlashOnly)).GetProperty("key").GetString()!;

        var (status, response) = await RawHttp.SendAsync(gateway.BaseUri, "/gemini/v1beta//%6Dodels/gemini-1.5-flash%3agenerateContent?alt=%73se", $"Authorization: Bearer {key}\r\n", json: "{}");

        Assert.True(status == 200, response);
        Assert.StartsWith("/v1beta/models/gemini-1.5-flash:generateContent?alt=sse&key=", upstream.LastRequest.RawTarget, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bedrock_call_spelled_with_escapes_is_signed_over_the_path_that_is_sent()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayFor(bedrock.Origin);
        var key = (await gateway.GenerateKeyAsync(GeminiFlashOnly)).GetProperty("key").GetString()!;

        var (status, response) = await RawHttp.SendAsync(gateway.BaseUri, "/bedrock/%6Dodel//anthropic.claude-3-5-haiku-20241022-v1%3A0/converse",
            $"Authorization: Bearer {key}\r\n", json: """{"messages":[{"role":"user","content":[{"text":"hi"}]}]}""");

        Assert.True(status == 200, response);
        Assert.Equal("/model/anthropic.claude-3-5-haiku-20241022-v1:0/converse", bedrock.Upstream.LastRequest.RawTarget);
    }

    public static TheoryData<string, string, string> OtherSpellingsOfAMeteredOperation() => new()
    {
        { "openai", "/openai/v1/chat/complet%69ons", "/openai/v1/chat/completions" },
        { "openai", "/openai/v1//chat/completions", "/openai/v1/chat/completions" },
        { "gemini", "/gemini/v1beta/models/gemini-2.0-flash%3AgenerateContent", "/gemini/v1beta/models/gemini-2.0-flash:generateContent" },
        { "anthropic", "/anthropic/v1/m%65ssages", "/anthropic/v1/messages" },
    };

    [Theory]
    [MemberData(nameof(OtherSpellingsOfAMeteredOperation))]
    public async Task Escaped_letters_in_the_operation_do_not_make_a_call_free(string provider, string target, string plainTarget)
    {
        (Microsoft.AspNetCore.Http.RequestDelegate Handler, string ApiKey, string Json) fake = provider switch
        {
            "openai" => (FakeOpenAi.HandleAsync, FakeOpenAi.ApiKey, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""),
            "gemini" => (FakeGemini.HandleAsync, FakeGemini.ApiKey, """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"""),
            _ => (FakeAnthropic.HandleAsync, FakeAnthropic.ApiKey, """{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"""),
        };
        var (handler, apiKey, json) = fake;
        await using var env = await SingleProviderGateway.StartAsync(provider, handler, apiKey).DefaultTimeout();

        async Task<System.Text.Json.JsonElement> RowAsync(string path)
        {
            var (status, response) = await RawHttp.SendAsync(env.Gateway.BaseUri, path,
                $"Authorization: Bearer {GatewayTestEnvironment.VirtualKey}\r\nanthropic-version: 2023-06-01\r\n", json);
            Assert.True(status == 200, response);
            Assert.Contains("\r\nx-litellm-response-cost: ", response, StringComparison.OrdinalIgnoreCase);
            var callId = response.Split("\r\n").Single(l => l.StartsWith("x-litellm-call-id:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
            return await GuardrailTestRows.SpendRowAsync(env.Gateway, callId);
        }

        var escaped = await RowAsync(target);
        var plain = await RowAsync(plainTarget);

        // Priced as the plain spelling is, and that is not nothing.
        Assert.True(plain.GetProperty("spend").GetDecimal() > 0, plain.ToString());
        Assert.Equal(plain.GetProperty("total_tokens").GetInt64(), escaped.GetProperty("total_tokens").GetInt64());
        Assert.Equal(plain.GetProperty("spend").GetDecimal(), escaped.GetProperty("spend").GetDecimal());
        Assert.Equal(plain.GetProperty("model").GetString(), escaped.GetProperty("model").GetString());
    }

    private static Task<GatewayTestEnvironment> GatewayFor(string origin) =>
        GatewayTestEnvironment.StartWithKeysAsync(
            $"""
            pass_through_providers:
              gemini: {"{"} api_key: real-gemini-key, api_base: "{origin}" {"}"}
              azure: {"{"} api_key: real-azure-key, api_base: "{origin}" {"}"}
              {FakeBedrock.ProviderEntry(origin)}
            """);
}
