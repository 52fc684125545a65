using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Apis.Auth.OAuth2;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>The fake Vertex AI takes only tokens its token server issued and answers in Vertex's shapes.</summary>
public sealed class FakeVertexAiTests : IAsyncLifetime
{
    private const string GeminiPath = "/v1/projects/tollgate-test-project/locations/us-central1/publishers/google/models/gemini-2.0-flash-001";
    private const string ClaudePath = "/v1/projects/tollgate-test-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514";
    private const string GeminiBody = """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""";
    private const string ClaudeBody = """{"anthropic_version":"vertex-2023-10-16","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";

    private readonly HttpClient _client = new();
    private FakeGoogleTokenServer _tokens = null!;
    private FakeVertexAi _vertex = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _tokens = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        _vertex = await FakeVertexAi.StartAsync(_tokens).DefaultTimeout();
        ITokenAccess credential = CredentialFactory.FromJson<ServiceAccountCredential>(_tokens.ServiceAccountJson())
            .ToGoogleCredential()
            .CreateScoped(FakeGoogleTokenServer.CloudPlatformScope);
        _token = await credential.GetAccessTokenForRequestAsync().DefaultTimeout();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _vertex.DisposeAsync();
        await _tokens.DisposeAsync();
    }

    [Fact]
    public async Task GenerateContent_WithAnIssuedToken()
    {
        using var response = await SendAsync(GeminiPath + ":generateContent", GeminiBody, _token).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeVertexAi.GenerateContentJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    [Fact]
    public async Task StreamGenerateContent_SseWithCrlfEvents()
    {
        using var response = await SendAsync(GeminiPath + ":streamGenerateContent?alt=sse", GeminiBody, _token).DefaultTimeout();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(string.Concat(FakeVertexAi.StreamChunks.Select(c => "data: " + c + "\r\n\r\n")), await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    [Fact]
    public async Task StreamGenerateContent_WithoutAltSse_IsAJsonArray()
    {
        using var response = await SendAsync(GeminiPath + ":streamGenerateContent", GeminiBody, _token).DefaultTimeout();

        var array = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(FakeVertexAi.StreamChunks.Length, array.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task CountTokens()
    {
        using var response = await SendAsync(GeminiPath + ":countTokens", GeminiBody, _token).DefaultTimeout();

        Assert.Equal(FakeVertexAi.CountTokensJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    [Fact]
    public async Task RawPredict_AndStreamRawPredict_ForClaude()
    {
        using var plain = await SendAsync(ClaudePath + ":rawPredict", ClaudeBody, _token).DefaultTimeout();
        using var stream = await SendAsync(ClaudePath + ":streamRawPredict", ClaudeBody.Replace("{", """{"stream":true,""", StringComparison.Ordinal), _token).DefaultTimeout();
        using var versionless = await SendAsync(ClaudePath + ":rawPredict", """{"max_tokens":16,"messages":[]}""", _token).DefaultTimeout();

        Assert.Equal(FakeVertexAi.RawPredictJson, await plain.Content.ReadAsStringAsync().DefaultTimeout());
        var events = await stream.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.Equal(string.Concat(FakeVertexAi.StreamRawPredictEvents), events);
        Assert.StartsWith("event: message_start\n", events);
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", events);
        Assert.Equal(HttpStatusCode.BadRequest, versionless.StatusCode);
    }

    [Theory]
    [InlineData("Bearer ya29.not-issued-here")]
    [InlineData("Bearer ")]
    [InlineData(null)]
    public async Task RefusesTokensItsServerDidNotIssue(string? authorization)
    {
        using var response = await SendAsync(GeminiPath + ":generateContent", GeminiBody, null, authorization).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(FakeVertexAi.UnauthenticatedJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    [Fact]
    public async Task RecordsTheHostHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _vertex.Origin + GeminiPath + ":generateContent")
        {
            Content = new StringContent(GeminiBody, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        request.Headers.Host = "us-central1-aiplatform.googleapis.com";

        using var response = await _client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["us-central1-aiplatform.googleapis.com"], _vertex.Hosts);
    }

    [Fact]
    public async Task ServesPathsUnderTheirOwnLocation_AndTakesTokensFromEachOfItsServers()
    {
        await using var second = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        second.TokenPrefix = "ya29.fake-second-";
        await using var vertex = await FakeVertexAi.StartAsync(_tokens, second).DefaultTimeout();
        ITokenAccess credential = CredentialFactory.FromJson<ServiceAccountCredential>(second.ServiceAccountJson())
            .ToGoogleCredential()
            .CreateScoped(FakeGoogleTokenServer.CloudPlatformScope);
        var secondToken = await credential.GetAccessTokenForRequestAsync().DefaultTimeout();

        using var underLocation = await SendAsync(vertex, "/us-central1" + GeminiPath + ":generateContent", _token).DefaultTimeout();
        using var fromSecond = await SendAsync(vertex, GeminiPath + ":generateContent", secondToken).DefaultTimeout();
        using var underAnother = await SendAsync(vertex, "/europe-west4" + GeminiPath + ":generateContent", _token).DefaultTimeout();

        Assert.Equal("ya29.fake-second-1", secondToken);
        Assert.Equal(HttpStatusCode.OK, underLocation.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromSecond.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, underAnother.StatusCode);
    }

    [Fact]
    public async Task UnknownMethod_Is404()
    {
        using var response = await SendAsync(GeminiPath + ":predictLongRunning", GeminiBody, _token).DefaultTimeout();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(FakeVertexAi vertex, string pathAndQuery, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, vertex.Origin + pathAndQuery)
        {
            Content = new StringContent(GeminiBody, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _client.SendAsync(request);
    }

    private Task<HttpResponseMessage> SendAsync(string pathAndQuery, string body, string? token, string? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _vertex.Origin + pathAndQuery)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        var header = token is null ? authorization : "Bearer " + token;
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", header);
        }

        return _client.SendAsync(request);
    }
}
