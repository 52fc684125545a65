using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>
/// The /vertex_ai route: the virtual key is swapped for a Google OAuth token minted from a service
/// account, the host follows the location in the path, and the credential follows (project, location).
/// </summary>
public sealed class VertexAiRouteTests
{
    private const string Project = VertexAiGateway.Project;
    private const string Gemini = "publishers/google/models/gemini-2.0-flash-001";
    private const string Claude = "publishers/anthropic/models/claude-sonnet-4@20250514";
    private const string GeminiBody = """{"contents":[{"role":"user","parts":[{"text":"Say hello"}]}]}""";
    private const string ClaudeBody = """{"anthropic_version":"vertex-2023-10-16","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""";

    private static string ModelPath(string project, string location, string model, string method) =>
        $"v1/projects/{project}/locations/{location}/{model}:{method}";

    private static HttpRequestMessage Post(GatewayTestEnvironment gateway, string path, string body = GeminiBody)
    {
        var request = gateway.Request(HttpMethod.Post, path);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    [Theory]
    [InlineData("vertex_ai")]
    [InlineData("vertex-ai")]
    public async Task Generate_content_is_forwarded_byte_for_byte_with_a_minted_token_in_place_of_the_virtual_key(string prefix)
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        // Odd spacing, a literal non-ASCII character and an escape: any re-serialisation would change these bytes.
        var body = Encoding.UTF8.GetBytes("{ \"contents\" : [{\"role\":\"user\",\"parts\":[{\"text\":\"gr\u00fc\u00df \\u00e9\"}]}] }\n");
        using var request = env.Gateway.Request(HttpMethod.Post, $"{prefix}/{ModelPath(Project, "us-central1", Gemini, "generateContent")}");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");

        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();
        var answer = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Encoding.UTF8.GetBytes(FakeVertexAi.GenerateContentJson), answer);
        Assert.True(response.Headers.Contains("x-litellm-call-id"));
        var seen = Assert.Single(env.Vertex.Upstream.Requests);
        Assert.Equal($"/{ModelPath(Project, "us-central1", Gemini, "generateContent")}", seen.RawTarget);
        Assert.Equal(body, seen.Body);
        Assert.Equal("application/json; charset=utf-8", seen.Header("Content-Type"));
        Assert.Equal("Bearer ya29.fake-1", seen.Header("Authorization"));
        Assert.True(env.Tokens.IsIssued("ya29.fake-1"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task The_clients_own_google_token_is_replaced_when_the_virtual_key_travels_in_x_litellm_api_key()
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        using var request = Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}");
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer ya29.clients-own-token");
        request.Headers.TryAddWithoutValidation("x-litellm-api-key", GatewayTestEnvironment.VirtualKey);

        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = env.Vertex.Upstream.LastRequest;
        Assert.Equal(["Bearer ya29.fake-1"], seen.Headers["Authorization"]);
        Assert.Null(seen.Header("x-litellm-api-key"));
        Assert.DoesNotContain("ya29.clients-own-token", seen.Everything);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Theory]
    [InlineData("x-goog-api-key")]
    [InlineData("query")]
    public async Task A_virtual_key_in_the_google_sdk_places_is_taken_and_not_forwarded(string place)
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        var path = $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}?alt=json";
        using var request = env.Gateway.Request(HttpMethod.Post, place == "query" ? $"{path}&key={GatewayTestEnvironment.VirtualKey}" : path, key: null);
        request.Content = new StringContent(GeminiBody, Encoding.UTF8, "application/json");
        if (place != "query")
        {
            request.Headers.TryAddWithoutValidation(place, GatewayTestEnvironment.VirtualKey);
        }

        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = env.Vertex.Upstream.LastRequest;
        Assert.Equal($"/{ModelPath(Project, "us-central1", Gemini, "generateContent")}?alt=json", seen.RawTarget);
        Assert.Equal("Bearer ya29.fake-1", seen.Header("Authorization"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task Logs_never_hold_the_access_token_the_private_key_or_the_virtual_key()
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        using var request = Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}");

        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await env.Gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RequestForwarded).DefaultTimeout();
        AssertNoSecrets(env.Gateway.Logs.AllText, env.Tokens.IssuedTokens);
    }

    [Fact]
    public async Task Fifty_concurrent_first_requests_mint_one_token_and_later_requests_reuse_it()
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        // A slow token endpoint keeps all fifty waiting on the first fetch.
        env.Tokens.Delay = TimeSpan.FromMilliseconds(300);
        var path = $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}";

        async Task<HttpStatusCode> SendOneAsync()
        {
            using var request = Post(env.Gateway, path);
            using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();
            return response.StatusCode;
        }

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => SendOneAsync())).DefaultTimeout();
        for (var i = 0; i < 3; i++)
        {
            statuses = [.. statuses, await SendOneAsync().DefaultTimeout()];
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(1, env.Tokens.TokenRequestCount);
        Assert.Equal(53, env.Vertex.Upstream.Requests.Count);
        Assert.All(env.Vertex.Upstream.Requests, r => Assert.Equal("Bearer ya29.fake-1", r.Header("Authorization")));
    }

    [Fact]
    public async Task A_token_about_to_expire_is_replaced_by_a_fresh_one()
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        // Shorter than any refresh margin: the token is stale as soon as it arrives.
        env.Tokens.ExpiresInSeconds = 5;
        var path = $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}";

        using var first = await env.Gateway.Client.SendAsync(Post(env.Gateway, path)).DefaultTimeout();
        env.Tokens.ExpiresInSeconds = 3599;
        using var second = await env.Gateway.Client.SendAsync(Post(env.Gateway, path)).DefaultTimeout();
        using var third = await env.Gateway.Client.SendAsync(Post(env.Gateway, path)).DefaultTimeout();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], [first.StatusCode, second.StatusCode, third.StatusCode]);
        Assert.Equal(
            ["Bearer ya29.fake-1", "Bearer ya29.fake-2", "Bearer ya29.fake-2"],
            env.Vertex.Upstream.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(2, env.Tokens.TokenRequestCount);
    }

    [Fact]
    public async Task Stream_generate_content_with_alt_sse_arrives_unchanged()
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        using var request = Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "streamGenerateContent")}?alt=sse");

        using var response = await env.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var answer = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(string.Concat(FakeVertexAi.StreamChunks.Select(c => "data: " + c + "\r\n\r\n"))), answer);
        Assert.Equal($"/{ModelPath(Project, "us-central1", Gemini, "streamGenerateContent")}?alt=sse", env.Vertex.Upstream.LastRequest.RawTarget);
    }

    [Fact]
    public async Task Stream_generate_content_without_alt_sse_arrives_as_the_same_json_array()
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        using var request = Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "streamGenerateContent")}");

        using var response = await env.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var answer = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[" + string.Join(",\r\n", FakeVertexAi.StreamChunks) + "]", answer);
    }

    [Fact]
    public async Task Claude_partner_models_answer_through_raw_predict_and_stream_raw_predict()
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        var streamBody = ClaudeBody.Replace("{", """{"stream":true,""", StringComparison.Ordinal);
        using var plainRequest = Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-east5", Claude, "rawPredict")}", ClaudeBody);
        using var streamRequest = Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-east5", Claude, "streamRawPredict")}", streamBody);

        using var plain = await env.Gateway.Client.SendAsync(plainRequest).DefaultTimeout();
        var plainAnswer = await plain.Content.ReadAsStringAsync().DefaultTimeout();
        var plainSeen = env.Vertex.Upstream.LastRequest;
        using var stream = await env.Gateway.Client.SendAsync(streamRequest, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var streamAnswer = await stream.Content.ReadAsStringAsync().DefaultTimeout();
        var streamSeen = env.Vertex.Upstream.LastRequest;

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(FakeVertexAi.RawPredictJson, plainAnswer);
        Assert.Equal($"/{ModelPath(Project, "us-east5", Claude, "rawPredict")}", plainSeen.RawTarget);
        Assert.Equal(ClaudeBody, plainSeen.BodyText);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        Assert.Equal(string.Concat(FakeVertexAi.StreamRawPredictEvents), streamAnswer);
        Assert.Equal($"/{ModelPath(Project, "us-east5", Claude, "streamRawPredict")}", streamSeen.RawTarget);
        Assert.Equal(streamBody, streamSeen.BodyText);
        Assert.Equal(1, env.Tokens.TokenRequestCount);
    }

    [Fact]
    public async Task Each_project_and_location_uses_its_own_credential_and_the_default_serves_the_rest_under_its_own_project()
    {
        await using var tokensA = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        await using var tokensB = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        await using var tokensDefault = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        tokensA.TokenPrefix = "ya29.fake-a-";
        tokensB.TokenPrefix = "ya29.fake-b-";
        tokensDefault.TokenPrefix = "ya29.fake-default-";
        await using var vertex = await FakeVertexAi.StartAsync(tokensA, tokensB, tokensDefault).DefaultTimeout();
        // One loopback server plays every regional host: the location becomes the first path segment.
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            default_vertex_config:
              vertex_project: default-project
              vertex_location: us-central1
              vertex_credentials: {{tokensDefault.WriteServiceAccountFile()}}
            pass_through_providers:
              vertex_ai:
                api_base: "{{vertex.Origin}}/{location}"
                credentials:
                  - { vertex_project: project-a, vertex_location: europe-west4, vertex_credentials: {{tokensA.WriteServiceAccountFile()}} }
                  - { vertex_project: project-b, vertex_location: us-east5, vertex_credentials: {{tokensB.WriteServiceAccountFile()}} }
            """).DefaultTimeout();

        async Task<RecordedRequest> SendAsync(string path, string body = GeminiBody)
        {
            using var response = await gateway.Client.SendAsync(Post(gateway, "vertex_ai/" + path, body)).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return vertex.Upstream.LastRequest;
        }

        var a = await SendAsync(ModelPath("project-a", "europe-west4", Gemini, "generateContent"));
        var b = await SendAsync(ModelPath("project-b", "us-east5", Claude, "rawPredict"), ClaudeBody);
        var aElsewhere = await SendAsync(ModelPath("project-a", "us-east5", Gemini, "generateContent"));
        var other = await SendAsync(ModelPath("someone-elses-project", "global", Gemini, "countTokens"));

        Assert.Equal("/europe-west4/" + ModelPath("project-a", "europe-west4", Gemini, "generateContent"), a.RawTarget);
        Assert.Equal("Bearer ya29.fake-a-1", a.Header("Authorization"));
        Assert.Equal("/us-east5/" + ModelPath("project-b", "us-east5", Claude, "rawPredict"), b.RawTarget);
        Assert.Equal("Bearer ya29.fake-b-1", b.Header("Authorization"));
        Assert.Equal("/us-east5/" + ModelPath("default-project", "us-east5", Gemini, "generateContent"), aElsewhere.RawTarget);
        Assert.Equal("Bearer ya29.fake-default-1", aElsewhere.Header("Authorization"));
        Assert.Equal("/global/" + ModelPath("default-project", "global", Gemini, "countTokens"), other.RawTarget);
        Assert.Equal("Bearer ya29.fake-default-1", other.Header("Authorization"));
        Assert.Equal([1, 1, 1], [tokensA.TokenRequestCount, tokensB.TokenRequestCount, tokensDefault.TokenRequestCount]);
    }

    [Fact]
    public async Task Without_a_location_in_the_path_the_default_vertex_location_picks_the_host()
    {
        await using var env = await VertexAiGateway.StartAsync(
            (tokens, vertex) => VertexAiGateway.DefaultConfig(tokens.WriteServiceAccountFile(), vertex.Origin + "/{location}", location: "europe-west4")).DefaultTimeout();
        using var request = env.Gateway.Request(HttpMethod.Get, "vertex_ai/v1/publishers/google/models/gemini-2.0-flash-001");

        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();

        // The fake serves no model listing: its 404 comes back as it was sent.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var seen = Assert.Single(env.Vertex.Upstream.Requests);
        Assert.Equal("/europe-west4/v1/publishers/google/models/gemini-2.0-flash-001", seen.RawTarget);
        Assert.Equal("Bearer ya29.fake-1", seen.Header("Authorization"));
    }

    [Theory]
    [InlineData("evil.com%2F..")]
    [InlineData("evil.com")]
    [InlineData("US_CENTRAL")]
    [InlineData("us-central1.attacker.example")]
    [InlineData("us-central1%40attacker.example")]
    [InlineData("1us")]
    public async Task A_location_that_is_not_a_location_name_is_refused_before_any_token_or_upstream_work(string location)
    {
        await using var env = await VertexAiGateway.StartAsync(
            (tokens, vertex) => VertexAiGateway.DefaultConfig(tokens.WriteServiceAccountFile(), vertex.Origin + "/{location}")).DefaultTimeout();
        using var request = Post(env.Gateway, $"vertex_ai/{ModelPath(Project, location, Gemini, "generateContent")}");

        using var response = await env.Gateway.Client.SendAsync(request).DefaultTimeout();

        var error = await AssertContractErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error");
        Assert.Contains("location", error.GetProperty("message").GetString());
        Assert.Empty(env.Vertex.Upstream.Requests);
        Assert.Equal(0, env.Tokens.TokenRequestCount);
    }

    [Fact]
    public async Task A_failing_token_endpoint_gives_502_naming_the_credential_without_its_key_and_forwards_nothing()
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        env.Tokens.FailAllRequests = true;
        var path = $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}";

        using var failed = await env.Gateway.Client.SendAsync(Post(env.Gateway, path)).DefaultTimeout();

        var error = await AssertContractErrorAsync(failed, HttpStatusCode.BadGateway, "upstream_credential_error");
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("default_vertex_config", message);
        AssertNoSecrets(error.GetRawText(), []);
        Assert.Empty(env.Vertex.Upstream.Requests);
        Assert.True(env.Tokens.TokenRequestCount >= 1);

        // A failure is not cached: once Google answers again, so does the route.
        env.Tokens.FailAllRequests = false;
        using var recovered = await env.Gateway.Client.SendAsync(Post(env.Gateway, path)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        await env.Gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RequestForwarded && l.Message.Contains("-> 200", StringComparison.Ordinal)).DefaultTimeout();
        AssertNoSecrets(env.Gateway.Logs.AllText, env.Tokens.IssuedTokens);
    }

    [Theory]
    [InlineData(502, "text/html", "<html><body>502 Bad Gateway</body></html>")]
    [InlineData(200, "application/json", "not json")]
    [InlineData(200, "application/json", """{"token_type":"Bearer","expires_in":3599}""")]
    public async Task A_token_endpoint_answering_nonsense_gives_502_naming_the_credential(int status, string contentType, string body)
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        env.Tokens.FailAllRequests = true;
        env.Tokens.FailureStatusCode = status;
        env.Tokens.FailureContentType = contentType;
        env.Tokens.FailureBody = body;

        using var response = await env.Gateway.Client.SendAsync(
            Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}")).DefaultTimeout();

        var error = await AssertContractErrorAsync(response, HttpStatusCode.BadGateway, "upstream_credential_error");
        Assert.Contains("default_vertex_config", error.GetProperty("message").GetString());
        AssertNoSecrets(error.GetRawText(), []);
        Assert.Empty(env.Vertex.Upstream.Requests);

        env.Tokens.FailAllRequests = false;
        using var recovered = await env.Gateway.Client.SendAsync(
            Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task A_client_that_gives_up_while_the_token_is_minted_does_not_fail_the_others_waiting_for_it()
    {
        await using var env = await VertexAiGateway.StartAsync().DefaultTimeout();
        env.Tokens.Delay = TimeSpan.FromMilliseconds(500);
        var path = $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}";
        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var abandoned = env.Gateway.Client.SendAsync(Post(env.Gateway, path), impatient.Token);
        var waiting = env.Gateway.Client.SendAsync(Post(env.Gateway, path));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned).DefaultTimeout();
        using var response = await waiting.DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, env.Tokens.TokenRequestCount);
        Assert.Equal("Bearer ya29.fake-1", Assert.Single(env.Vertex.Upstream.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task A_token_endpoint_refusing_connections_gives_502_naming_the_credential()
    {
        var closedPort = FreePort();
        await using var env = await VertexAiGateway.StartAsync((tokens, vertex) =>
        {
            var json = tokens.ServiceAccountJson().Replace(tokens.TokenUri, $"http://127.0.0.1:{closedPort}/token", StringComparison.Ordinal);
            var file = tokens.WriteServiceAccountFile();
            File.WriteAllText(file, json);
            return VertexAiGateway.DefaultConfig(file, vertex.Origin);
        }).DefaultTimeout();

        using var response = await env.Gateway.Client.SendAsync(
            Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}")).DefaultTimeout();

        var error = await AssertContractErrorAsync(response, HttpStatusCode.BadGateway, "upstream_credential_error");
        Assert.Contains("default_vertex_config", error.GetProperty("message").GetString());
        AssertNoSecrets(error.GetRawText(), []);
        Assert.Empty(env.Vertex.Upstream.Requests);
        await env.Gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RequestRejected).DefaultTimeout();
        AssertNoSecrets(env.Gateway.Logs.AllText, []);
    }

    [Fact]
    public async Task Without_any_credential_the_route_answers_500_naming_the_settings_to_set()
    {
        await using var vertexOnlyBase = await GatewayTestEnvironment.StartWithKeysAsync(
            """
            pass_through_providers:
              vertex_ai: { api_base: "http://127.0.0.1:9" }
            """).DefaultTimeout();
        using var request = Post(vertexOnlyBase, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}");

        using var response = await vertexOnlyBase.Client.SendAsync(request).DefaultTimeout();

        var error = await AssertContractErrorAsync(response, HttpStatusCode.InternalServerError, "configuration_error");
        var message = error.GetProperty("message").GetString();
        Assert.Contains("default_vertex_config", message);
        Assert.Contains("pass_through_providers.vertex_ai.credentials", message);
        Assert.Contains("DEFAULT_GOOGLE_APPLICATION_CREDENTIALS", message);
    }

    [Fact]
    public async Task A_project_no_credential_serves_answers_500_naming_default_vertex_config()
    {
        await using var env = await VertexAiGateway.StartAsync((tokens, vertex) =>
            $$"""
            pass_through_providers:
              vertex_ai:
                api_base: "{{vertex.Origin}}"
                credentials:
                  - { vertex_project: {{Project}}, vertex_location: us-central1, vertex_credentials: {{tokens.WriteServiceAccountFile()}} }
            """).DefaultTimeout();

        using var served = await env.Gateway.Client.SendAsync(
            Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}")).DefaultTimeout();
        using var unserved = await env.Gateway.Client.SendAsync(
            Post(env.Gateway, $"vertex_ai/{ModelPath("another-project", "us-central1", Gemini, "generateContent")}")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        var error = await AssertContractErrorAsync(unserved, HttpStatusCode.InternalServerError, "configuration_error");
        Assert.Contains("default_vertex_config", error.GetProperty("message").GetString());
        Assert.Single(env.Vertex.Upstream.Requests);
    }

    [Theory]
    [InlineData("file")]
    [InlineData("inline")]
    public async Task Vertex_credentials_may_be_a_key_file_path_or_the_inline_json(string form)
    {
        await using var env = await VertexAiGateway.StartAsync(
            (tokens, vertex) => VertexAiGateway.DefaultConfig(
                form == "file" ? tokens.WriteServiceAccountFile() : "os.environ/VERTEX_SERVICE_ACCOUNT_JSON", vertex.Origin),
            tokens => new Dictionary<string, string> { ["VERTEX_SERVICE_ACCOUNT_JSON"] = tokens.ServiceAccountJson() }).DefaultTimeout();

        using var response = await env.Gateway.Client.SendAsync(
            Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer ya29.fake-1", env.Vertex.Upstream.LastRequest.Header("Authorization"));
    }

    [Fact]
    public async Task Inline_json_written_straight_into_the_yaml_works()
    {
        await using var env = await VertexAiGateway.StartAsync(
            (tokens, vertex) => VertexAiGateway.DefaultConfig("'" + tokens.ServiceAccountJson() + "'", vertex.Origin)).DefaultTimeout();

        using var response = await env.Gateway.Client.SendAsync(
            Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-central1", Gemini, "generateContent")}")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("file")]
    [InlineData("inline")]
    public async Task The_default_credential_may_come_from_litellms_environment_variables(string form)
    {
        await using var env = await VertexAiGateway.StartAsync(
            (tokens, vertex) =>
                $$"""
                pass_through_providers:
                  vertex_ai: { api_base: "{{vertex.Origin}}/{location}" }
                """,
            tokens => new Dictionary<string, string>
            {
                ["DEFAULT_VERTEXAI_PROJECT"] = "env-project",
                ["DEFAULT_VERTEXAI_LOCATION"] = "europe-west4",
                ["DEFAULT_GOOGLE_APPLICATION_CREDENTIALS"] = form == "file" ? tokens.WriteServiceAccountFile() : tokens.ServiceAccountJson(),
            }).DefaultTimeout();

        using var generate = await env.Gateway.Client.SendAsync(
            Post(env.Gateway, $"vertex_ai/{ModelPath(Project, "us-east5", Gemini, "generateContent")}")).DefaultTimeout();
        using var locationless = await env.Gateway.Client.SendAsync(
            env.Gateway.Request(HttpMethod.Get, "vertex_ai/v1/publishers/google/models/gemini-2.0-flash-001")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, generate.StatusCode);
        var requests = env.Vertex.Upstream.Requests.ToArray();
        Assert.Equal("/us-east5/" + ModelPath("env-project", "us-east5", Gemini, "generateContent"), requests[0].RawTarget);
        Assert.Equal("Bearer ya29.fake-1", requests[0].Header("Authorization"));
        Assert.Equal("/europe-west4/v1/publishers/google/models/gemini-2.0-flash-001", requests[1].RawTarget);
    }

    [Theory]
    [InlineData("not-der")]
    [InlineData("not-base64")]
    [InlineData("not-pem")]
    [InlineData("truncated")]
    public async Task A_service_account_whose_private_key_is_not_a_key_is_a_start_up_error_naming_the_setting(string flaw)
    {
        await using var tokens = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        var json = JsonNode.Parse(tokens.ServiceAccountJson())!.AsObject();
        var realKey = (string)json["private_key"]!;
        var badKey = flaw switch
        {
            "not-der" => "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n",
            "not-base64" => "-----BEGIN PRIVATE KEY-----\n!!not*base64!!\n-----END PRIVATE KEY-----\n",
            "not-pem" => "bm90IGEga2V5IGF0IGFsbA==",
            _ => string.Join('\n', realKey.Split('\n')[..8]) + "\n-----END PRIVATE KEY-----\n",
        };
        json["private_key"] = badKey;
        var environment = new Dictionary<string, string> { ["SA_JSON"] = json.ToJsonString() };

        var error = await Assert.ThrowsAsync<Tollgate.Configuration.ConfigurationException>(() => GatewayTestEnvironment.StartWithKeysAsync(
            VertexAiGateway.DefaultConfig("os.environ/SA_JSON", "http://127.0.0.1:9"), environment)).DefaultTimeout();

        Assert.Contains("default_vertex_config.vertex_credentials", error.Message);
        Assert.Contains("private_key", error.Message);
        Assert.DoesNotContain("bm90IGEga2V5", error.Message);
        Assert.DoesNotContain(PrivateKeyBody(), error.Message);
    }

    private static void AssertNoSecrets(string text, IEnumerable<string> tokens)
    {
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, text);
        Assert.DoesNotContain("PRIVATE KEY", text);
        Assert.DoesNotContain(PrivateKeyBody(), text);
        foreach (var token in tokens)
        {
            Assert.DoesNotContain(token, text);
        }
    }

    /// <summary>A stretch from the middle of the test service account's private key.</summary>
    private static string PrivateKeyBody()
    {
        using var json = JsonDocument.Parse(SharedFixtures.ReadText("google", "service_account.json"));
        var key = json.RootElement.GetProperty("private_key").GetString()!;
        return key.Split('\n')[3];
    }

    private static async Task<JsonElement> AssertContractErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Equal(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error.Clone();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
