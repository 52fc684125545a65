using System.Net;
using System.Text;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>The /gemini route: the key travels in the query, so the gateway must rewrite it there.</summary>
public sealed class GeminiRouteTests : IAsyncLifetime
{
    private const string GenerateBody = """{"contents":[{"role":"user","parts":[{"text":"Say hello"}]}]}""";

    private SingleProviderGateway _env = null!;

    private FakeUpstream Gemini => _env.Upstream;

    private GatewayTestEnvironment Gateway => _env.Gateway;

    public async Task InitializeAsync() =>
        _env = await SingleProviderGateway.StartAsync("gemini", FakeGemini.HandleAsync, FakeGemini.ApiKey).DefaultTimeout();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Virtual_key_in_the_query_is_replaced_by_exactly_one_real_key()
    {
        var body = Encoding.UTF8.GetBytes("{ \"contents\": [{\"parts\":[{\"text\":\"gr\u00fc\u00df \\u00e9\"}]}] }");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"gemini/v1beta/models/gemini-2.0-flash:generateContent?key={GatewayTestEnvironment.VirtualKey}")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();
        var answer = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetBytes(FakeGemini.GenerateJson), answer);
        var seen = Gemini.LastRequest;
        Assert.Equal($"/v1beta/models/gemini-2.0-flash:generateContent?key={FakeGemini.ApiKey}", seen.RawTarget);
        Assert.Equal(body, seen.Body);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
        await Gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RequestForwarded).DefaultTimeout();
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, Gateway.Logs.AllText);
        Assert.DoesNotContain(FakeGemini.ApiKey, Gateway.Logs.AllText);
    }

    [Fact]
    public async Task Virtual_key_in_x_goog_api_key_is_accepted_and_the_header_is_not_forwarded()
    {
        using var request = GenerateRequest("gemini/v1beta/models/gemini-2.0-flash:generateContent");
        request.Headers.TryAddWithoutValidation("x-goog-api-key", GatewayTestEnvironment.VirtualKey);

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Gemini.LastRequest;
        Assert.Equal($"/v1beta/models/gemini-2.0-flash:generateContent?key={FakeGemini.ApiKey}", seen.RawTarget);
        Assert.Null(seen.Header("x-goog-api-key"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task Every_client_key_value_is_removed_even_when_the_key_came_from_a_header()
    {
        // A second key parameter would make Google refuse the call (the fake does too).
        using var request = GenerateRequest("gemini/v1beta/models/gemini-2.0-flash:generateContent?key=AIza-client-own&key=another");
        request.Headers.TryAddWithoutValidation("x-goog-api-key", GatewayTestEnvironment.VirtualKey);

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"/v1beta/models/gemini-2.0-flash:generateContent?key={FakeGemini.ApiKey}", Gemini.LastRequest.RawTarget);
    }

    [Fact]
    public async Task Streaming_keeps_alt_sse_and_delivers_crlf_framed_chunks_unchanged()
    {
        using var request = GenerateRequest($"gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key={GatewayTestEnvironment.VirtualKey}");

        using var response = await Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(string.Concat(FakeGemini.StreamChunks), text);
        Assert.Equal($"/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key={FakeGemini.ApiKey}", Gemini.LastRequest.RawTarget);
    }

    [Fact]
    public async Task Provider_key_error_reaches_the_client_unchanged()
    {
        await using var wrongKey = await SingleProviderGateway.StartAsync("gemini", FakeGemini.HandleAsync, "AIza-revoked").DefaultTimeout();
        using var request = GenerateRequest($"gemini/v1beta/models/gemini-2.0-flash:generateContent?key={GatewayTestEnvironment.VirtualKey}");

        using var response = await wrongKey.Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(FakeGemini.InvalidKeyJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("/v1beta/models/gemini-2.0-flash:generateContent?key=AIza-revoked", wrongKey.Upstream.LastRequest.RawTarget);
    }

    private static HttpRequestMessage GenerateRequest(string path) => new(HttpMethod.Post, path)
    {
        Content = new StringContent(GenerateBody, Encoding.UTF8, "application/json"),
    };
}
