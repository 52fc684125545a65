using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>Custom pass-through endpoints (<c>general_settings.pass_through_endpoints</c>) over real HTTP.</summary>
public sealed class CustomEndpointTests : IAsyncLifetime
{
    private const string TeamName = "team-blue";

    private FakeUpstream _upstream = null!;
    private GatewayTestEnvironment _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(FakeCustomApi.HandleAsync);
        var origin = _upstream.Origin;
        _gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
              pass_through_endpoints:
                - path: /cohere-rerank
                  target: {{origin}}/v1/rerank
                  headers: { Authorization: "bearer os.environ/COHERE_API_KEY", X-Team: os.environ/TEAM_NAME }
                  auth: true
                  cost_per_request: 0.002
                - path: /relay
                  target: {{origin}}/v1/relay
                  headers: { X-Team: os.environ/TEAM_NAME }
                  forward_headers: true
                  auth: true
                - path: /open-relay
                  target: {{origin}}/v1/open-relay
                  forward_headers: true
                - path: /public
                  target: {{origin}}/v1/public
                - path: /exact
                  target: {{origin}}/v1/exact
                - path: /sub
                  target: {{origin}}/base
                  include_subpath: true
                - path: /post-only
                  target: {{origin}}/v1/post-only
                  methods: [POST]
                - path: /fixed-query
                  target: "{{origin}}/v1/q?api-version=2024-01&mode=strict"
                - path: /merged-query
                  target: "{{origin}}/v1/q?api-version=2024-01&mode=strict"
                  merge_query_params: true
                - path: /defaulted-query
                  target: "{{origin}}/v1/q?region=eu"
                  default_query_params: { region: us, limit: "10", lang: en }
                - path: /slow
                  target: {{origin}}/slow
                  timeout: 1
                - path: /stream
                  target: {{origin}}/v1/stream
                - path: /raw
                  target: {{origin}}/v1/raw
            """,
            new Dictionary<string, string>
            {
                ["COHERE_API_KEY"] = FakeCustomApi.CohereApiKey,
                ["TEAM_NAME"] = TeamName,
            });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Exact_path_is_forwarded_to_the_target_with_the_clients_query()
    {
        using var response = await SendAsync(HttpMethod.Get, "exact?page=2", key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeCustomApi.OkJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("/v1/exact?page=2", _upstream.LastRequest.RawTarget);
    }

    [Theory]
    [InlineData("exact/more")] // a subpath of an exact endpoint
    [InlineData("sub-other/a")] // shares only a prefix with a subpath endpoint
    public async Task A_path_no_endpoint_matches_is_a_404_json_error_and_not_forwarded(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, key: null);

        await AssertGatewayErrorAsync(response, HttpStatusCode.NotFound, "not_found_error");
        Assert.Empty(_upstream.Requests);
    }

    [Theory]
    [InlineData("sub/a/b?x=1&y=two", "/base/a/b?x=1&y=two")]
    [InlineData("sub/v2/rerank", "/base/v2/rerank")]
    [InlineData("sub", "/base")]
    public async Task Subpath_endpoint_appends_the_remainder_to_the_target_path_and_keeps_the_query(string clientPath, string upstreamTarget)
    {
        using var response = await SendAsync(HttpMethod.Get, clientPath, key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(upstreamTarget, _upstream.LastRequest.RawTarget);
    }

    [Fact]
    public async Task Configured_headers_carry_environment_values_whole_and_embedded()
    {
        using var request = _gateway.Request(HttpMethod.Post, "cohere-rerank");
        request.Content = new StringContent("""{"model":"rerank-v3.5","query":"q","documents":["a","b"]}""", Encoding.UTF8, "application/json");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeCustomApi.RerankJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        var seen = _upstream.LastRequest;
        Assert.Equal("/v1/rerank", seen.RawTarget);
        Assert.Equal("bearer " + FakeCustomApi.CohereApiKey, seen.Header("Authorization"));
        Assert.Equal(TeamName, seen.Header("X-Team"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task Configured_header_overrides_a_client_header_of_the_same_name()
    {
        using var request = _gateway.Request(HttpMethod.Get, "relay");
        request.Headers.TryAddWithoutValidation("X-Team", "team-red");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([TeamName], _upstream.LastRequest.Headers["X-Team"]);
    }

    [Fact]
    public async Task Without_forward_headers_only_body_headers_and_configured_headers_go_upstream()
    {
        using var request = _gateway.Request(HttpMethod.Post, "cohere-rerank", key: null);
        request.Headers.TryAddWithoutValidation("x-litellm-api-key", GatewayTestEnvironment.VirtualKey);
        request.Headers.TryAddWithoutValidation("X-Custom", "client-value");
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Content = new StringContent("""{"query":"q"}""", Encoding.UTF8, "application/json");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _upstream.LastRequest;
        Assert.Null(seen.Header("X-Custom"));
        Assert.Null(seen.Header("x-litellm-api-key"));
        Assert.Equal("application/json; charset=utf-8", seen.Header("Content-Type"));
        Assert.Equal("application/json", seen.Header("Accept"));
        Assert.Equal(TeamName, seen.Header("X-Team"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task With_forward_headers_client_headers_go_upstream_except_the_virtual_key_and_litellm_headers()
    {
        using var request = _gateway.Request(HttpMethod.Post, "relay");
        request.Headers.TryAddWithoutValidation("X-Custom", "client-value");
        request.Headers.TryAddWithoutValidation("x-litellm-tags", "team-a,batch");
        request.Headers.TryAddWithoutValidation("x-litellm-trace", "internal");
        request.Content = new StringContent("""{"query":"q"}""", Encoding.UTF8, "application/json");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _upstream.LastRequest;
        Assert.Equal("client-value", seen.Header("X-Custom"));
        Assert.Equal("application/json; charset=utf-8", seen.Header("Content-Type"));
        Assert.Null(seen.Header("Authorization"));
        Assert.DoesNotContain(seen.Headers.Keys, name => name.StartsWith("x-litellm-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task With_forward_headers_a_key_in_x_litellm_api_key_is_not_forwarded()
    {
        using var request = _gateway.Request(HttpMethod.Get, "relay", key: null);
        request.Headers.TryAddWithoutValidation("x-litellm-api-key", "Bearer " + GatewayTestEnvironment.VirtualKey);
        request.Headers.TryAddWithoutValidation("X-Custom", "client-value");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _upstream.LastRequest;
        Assert.Equal("client-value", seen.Header("X-Custom"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Theory]
    [InlineData("relay", "x-litellm-api-key", "Authorization")]
    [InlineData("relay", "x-api-key", "Authorization")]
    [InlineData("relay", "api-key", "x-goog-api-key")]
    [InlineData("relay", "Authorization", "Ocp-Apim-Subscription-Key")]
    [InlineData("open-relay", "x-litellm-api-key", "Authorization")]
    [InlineData("open-relay", "x-api-key", "Authorization")]
    [InlineData("open-relay", "api-key", "x-goog-api-key")]
    [InlineData("open-relay", "Authorization", "Ocp-Apim-Subscription-Key")]
    public async Task With_forward_headers_no_header_holding_our_key_is_forwarded_whichever_carried_it(string path, string first, string second)
    {
        foreach (var key in new[] { GatewayTestEnvironment.VirtualKey, GatewayTestEnvironment.MasterKey })
        {
            using var request = _gateway.Request(HttpMethod.Get, path, key: null);
            request.Headers.TryAddWithoutValidation(first, first == "Authorization" ? "Bearer " + key : key);
            request.Headers.TryAddWithoutValidation(second, second == "Authorization" ? "Bearer " + key : key);
            request.Headers.TryAddWithoutValidation("X-Custom", "client-value");

            using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var seen = _upstream.LastRequest;
            Assert.Equal("client-value", seen.Header("X-Custom"));
            Assert.DoesNotContain(key, seen.Everything);
        }
    }

    [Fact]
    public async Task Endpoint_without_auth_forwards_the_clients_own_credential_beside_our_key()
    {
        using var request = _gateway.Request(HttpMethod.Get, "open-relay", key: null);
        request.Headers.TryAddWithoutValidation("x-api-key", GatewayTestEnvironment.VirtualKey);
        request.Headers.TryAddWithoutValidation("api-key", "sk-a, " + GatewayTestEnvironment.VirtualKey);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer upstream-own-token");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _upstream.LastRequest;
        Assert.Equal("Bearer upstream-own-token", seen.Header("Authorization"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task Virtual_key_never_reaches_the_upstream_even_on_an_endpoint_without_auth()
    {
        using var request = _gateway.Request(HttpMethod.Get, "open-relay");
        request.Headers.TryAddWithoutValidation("X-Custom", "client-value");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _upstream.LastRequest;
        Assert.Equal("client-value", seen.Header("X-Custom"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sk-not-a-real-key")]
    public async Task Auth_endpoint_refuses_a_missing_or_unknown_key_with_401_json(string? key)
    {
        using var response = await SendAsync(HttpMethod.Post, "cohere-rerank", key);

        await AssertGatewayErrorAsync(response, HttpStatusCode.Unauthorized, "auth_error");
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task Auth_endpoint_accepts_a_key_in_authorization_and_does_not_forward_that_header()
    {
        using var response = await SendAsync(HttpMethod.Get, "relay", GatewayTestEnvironment.VirtualKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = _upstream.LastRequest;
        Assert.Equal("/v1/relay", seen.RawTarget);
        Assert.Null(seen.Header("Authorization"));
    }

    [Fact]
    public async Task Auth_endpoint_accepts_a_key_in_x_litellm_api_key()
    {
        using var request = _gateway.Request(HttpMethod.Post, "cohere-rerank", key: null);
        request.Headers.TryAddWithoutValidation("x-litellm-api-key", GatewayTestEnvironment.VirtualKey);
        request.Content = new StringContent("""{"query":"q"}""", Encoding.UTF8, "application/json");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeCustomApi.RerankJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Null(_upstream.LastRequest.Header("x-litellm-api-key"));
    }

    [Fact]
    public async Task Auth_endpoint_accepts_a_key_in_the_key_query_parameter_and_does_not_forward_it()
    {
        using var response = await SendAsync(HttpMethod.Get, "relay?key=" + GatewayTestEnvironment.VirtualKey + "&page=2", key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/relay?page=2", _upstream.LastRequest.RawTarget);
    }

    [Theory]
    [InlineData("relay?KEY={0}&page=2", "/v1/relay?page=2", false)]
    [InlineData("relay?%6Bey={0}&page=2&kEy={0}", "/v1/relay?page=2", false)]
    [InlineData("relay?key=client-own&page=2&Key={0}", "/v1/relay?page=2", true)]
    [InlineData("public?Key={0}&page=2", "/v1/public?page=2", false)]
    [InlineData("public?page=2&%4BEY={0}", "/v1/public?page=2", false)]
    [InlineData("open-relay?KEY={0}&page=2", "/v1/open-relay?page=2", false)]
    public async Task Our_keys_in_a_key_parameter_of_any_casing_never_reach_the_upstream(string path, string upstreamTarget, bool keyInHeader)
    {
        foreach (var key in new[] { GatewayTestEnvironment.VirtualKey, GatewayTestEnvironment.MasterKey })
        {
            var target = "/" + string.Format(CultureInfo.InvariantCulture, path, key);
            var (status, _) = await RawHttp.SendAsync(_gateway.BaseUri, target, keyInHeader ? $"x-litellm-api-key: {key}\r\n" : "").DefaultTimeout();

            Assert.Equal(200, status);
            Assert.Equal(upstreamTarget, _upstream.LastRequest.RawTarget);
            Assert.DoesNotContain(key, _upstream.LastRequest.Everything);
        }
    }

    [Fact]
    public async Task Endpoint_without_auth_forwards_a_key_parameter_that_is_not_one_of_ours()
    {
        using var response = await SendAsync(HttpMethod.Get, "public?key=upstream-own-key&page=2", key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/public?key=upstream-own-key&page=2", _upstream.LastRequest.RawTarget);
    }

    [Fact]
    public async Task Endpoint_without_auth_forwards_an_anonymous_request()
    {
        using var response = await SendAsync(HttpMethod.Get, "public", key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/v1/public", _upstream.LastRequest.RawTarget);
    }

    [Fact]
    public async Task Method_outside_methods_is_refused_with_405_json_and_an_allow_header_without_contacting_the_upstream()
    {
        using var response = await SendAsync(HttpMethod.Get, "post-only", key: null);

        Assert.Equal(["POST"], response.Content.Headers.Allow);
        await AssertGatewayErrorAsync(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task Method_in_methods_is_forwarded()
    {
        using var response = await SendAsync(HttpMethod.Post, "post-only", key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("POST", _upstream.LastRequest.Method);
    }

    [Theory]
    // The target's query is always sent, and other client parameters are appended.
    [InlineData("fixed-query?extra=1", "api-version=2024-01 extra=1 mode=strict")]
    // By default the target wins over a client parameter of the same name.
    [InlineData("fixed-query?api-version=2099-12&extra=1", "api-version=2024-01 extra=1 mode=strict")]
    // With merge_query_params the client wins over the target.
    [InlineData("merged-query?api-version=2099-12&extra=1", "api-version=2099-12 extra=1 mode=strict")]
    // default_query_params fill absent names and override neither the target nor the client.
    [InlineData("defaulted-query?lang=fr", "lang=fr limit=10 region=eu")]
    public async Task The_upstream_query_combines_target_defaults_and_client_as_configured(string path, string upstreamQuery)
    {
        using var response = await SendAsync(HttpMethod.Get, path, key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(upstreamQuery.Split(' '), UpstreamQuery());
    }

    [Fact]
    public async Task Upstream_slower_than_the_endpoint_timeout_answers_504_json()
    {
        // The upstream answers only after FakeCustomApi.SlowAnswerDelay: a 504 can come only from the endpoint's 1 s timeout.
        using var response = await SendAsync(HttpMethod.Get, "slow", key: null);

        await AssertGatewayErrorAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
    }

    [Fact]
    public async Task Request_and_response_bodies_are_forwarded_byte_for_byte()
    {
        var body = Encoding.UTF8.GetBytes("{ \"query\":\"h\\u00e9llo \u00fc \ud83d\ude00\",  \"documents\" :[\"a\"] ,\"top_n\":1}\n");
        using var request = _gateway.Request(HttpMethod.Post, "raw", key: null);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");

        using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();
        var answer = await response.Content.ReadAsByteArrayAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, _upstream.LastRequest.Body);
        Assert.Equal("application/json; charset=utf-8", _upstream.LastRequest.Header("Content-Type"));
        Assert.Equal(FakeCustomApi.RawAnswer, answer);
    }

    [Fact]
    public async Task Streamed_sse_answer_arrives_complete()
    {
        using var request = _gateway.Request(HttpMethod.Post, "stream", key: null);
        request.Content = new StringContent("""{"stream":true}""", Encoding.UTF8, "application/json");

        using var response = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var text = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(string.Concat(FakeCustomApi.StreamEvents), text);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key)
    {
        using var request = _gateway.Request(method, path, key);
        return await _gateway.Client.SendAsync(request).DefaultTimeout();
    }

    /// <summary>The upstream query as sorted <c>name=value</c> pairs: which values won matters here, not their order.</summary>
    private string[] UpstreamQuery() =>
        _upstream.LastRequest.QueryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();

    private static async Task AssertGatewayErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        var error = json.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Equal(((int)status).ToString(CultureInfo.InvariantCulture), error.GetProperty("code").GetString());
    }
}
