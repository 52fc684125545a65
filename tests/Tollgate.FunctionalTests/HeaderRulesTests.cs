using System.Net;
using System.Text;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>Contract section 5 on a provider route (Mistral): where the key may come from, and which headers go upstream.</summary>
public sealed class HeaderRulesTests : IAsyncLifetime
{
    private const string ChatPath = "mistral/v1/chat/completions";
    private const string ChatBody = """{"model":"mistral-small-latest","messages":[{"role":"user","content":"hi"}]}""";
    private const string InvalidKey = "sk-not-a-tollgate-key-9999";

    private SingleProviderGateway _env = null!;

    private FakeUpstream Mistral => _env.Upstream;

    private GatewayTestEnvironment Gateway => _env.Gateway;

    public async Task InitializeAsync() =>
        _env = await SingleProviderGateway.StartAsync("mistral", FakeMistral.HandleAsync, FakeMistral.ApiKey).DefaultTimeout();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Pass_prefixed_header_arrives_without_its_prefix()
    {
        using var request = ChatRequest();
        request.Headers.TryAddWithoutValidation("x-pass-OpenAI-Organization", "org-1");
        request.Headers.TryAddWithoutValidation("X-PASS-x-trace-tenant", "tenant-7");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Mistral.LastRequest;
        Assert.Equal("org-1", seen.Header("OpenAI-Organization"));
        Assert.Equal("tenant-7", seen.Header("x-trace-tenant"));
        Assert.DoesNotContain(seen.Headers.Keys, name => name.StartsWith("x-pass-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Client_accept_encoding_is_not_forwarded_so_answers_arrive_uncompressed_for_metering()
    {
        using var request = ChatRequest();
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Mistral.LastRequest.Header("Accept-Encoding"));
    }

    [Theory]
    [InlineData("authorization", "Bearer sk-attacker-0001")]
    [InlineData("Authorization", "sk-attacker-0002")]
    [InlineData("api-key", "attacker-0003")]
    [InlineData("x-api-key", "attacker-0004")]
    [InlineData("x-goog-api-key", "attacker-0005")]
    [InlineData("host", "attacker.example")]
    [InlineData("content-length", "987654")]
    [InlineData("transfer-encoding", "attacker-chunked")]
    [InlineData("accept-encoding", "attacker-br")]
    [InlineData("x-amz-date", "20990101T000000Z")]
    [InlineData("X-Amz-Security-Token", "attacker-token-0006")]
    [InlineData("x-litellm-api-key", "sk-attacker-0008")]
    [InlineData("X-LiteLLM-Tags", "attacker-tag-0009")]
    [InlineData("x-litellm-end-user-id", "attacker-user-0010")]
    [InlineData("tags", "attacker-tag-0011")]
    [InlineData("Ocp-Apim-Subscription-Key", "attacker-0012")]
    [InlineData("Proxy-Anything", "attacker-0013")]
    [InlineData("Sec-WebSocket-Protocol", "openai-insecure-api-key.attacker-0014")]
    [InlineData("x-pass-x-api-key", "attacker-0015")]
    public async Task Pass_prefixed_credential_and_framing_names_are_dropped(string name, string value)
    {
        using var request = ChatRequest();
        request.Headers.TryAddWithoutValidation("x-pass-" + name, value);

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Mistral.LastRequest;
        Assert.Equal("Bearer " + FakeMistral.ApiKey, seen.Header("Authorization"));
        Assert.DoesNotContain(value, seen.Everything);
        Assert.Equal(ChatBody, seen.BodyText);
    }

    [Theory]
    [InlineData("x-litellm-tags")]
    [InlineData("tags")]
    public async Task Tags_header_is_parsed_into_the_access_log_and_not_forwarded(string header)
    {
        using var request = ChatRequest();
        request.Headers.TryAddWithoutValidation(header, " team-a, ,prod ");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = await Gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RequestForwarded).DefaultTimeout();
        Assert.Contains("tags [team-a,prod]", line.Message);
        Assert.Null(Mistral.LastRequest.Header(header));
        Assert.DoesNotContain("team-a", Mistral.LastRequest.Everything);
    }

    [Fact]
    public async Task Litellm_headers_and_headers_named_in_connection_are_not_forwarded()
    {
        using var request = ChatRequest();
        request.Headers.TryAddWithoutValidation("x-litellm-session-id", "session-42");
        request.Headers.TryAddWithoutValidation("X-LiteLLM-Timeout", "30");
        request.Headers.TryAddWithoutValidation("Connection", "X-Hop-Secret");
        request.Headers.TryAddWithoutValidation("X-Hop-Secret", "hop-value");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Mistral.LastRequest;
        Assert.DoesNotContain(seen.Headers.Keys, name => name.StartsWith("x-litellm-", StringComparison.OrdinalIgnoreCase));
        Assert.Null(seen.Header("X-Hop-Secret"));
        Assert.Null(seen.Header("Keep-Alive"));
        Assert.DoesNotContain("session-42", seen.Everything);
        Assert.DoesNotContain("hop-value", seen.Everything);
    }

    [Theory]
    [InlineData("Connection: keep-alive, X-Hop-Secret\r\nX-Hop-Secret: hop-value-1\r\n")]
    [InlineData("Connection: keep-alive\r\nConnection: X-Hop-Secret\r\nX-Hop-Secret: hop-value-2\r\n")]
    [InlineData("Connection: keep-alive,,x-hop-secret ,\r\nX-Hop-Secret: hop-value-3\r\n")]
    [InlineData("Connection: keep-alive, x-pass-x-hop-secret\r\nx-pass-X-Hop-Secret: hop-value-4\r\n")]
    [InlineData("Connection: keep-alive, X-Hop-Secret\r\nx-pass-X-Hop-Secret: hop-value-5\r\n")]
    public async Task Headers_named_in_connection_never_reach_the_provider(string headers)
    {
        var (status, _) = await RawHttp.SendAsync(Gateway.BaseUri, "/mistral/v1/models", $"Authorization: Bearer {GatewayTestEnvironment.VirtualKey}\r\n{headers}").DefaultTimeout();

        Assert.Equal(200, status);
        Assert.Null(Mistral.LastRequest.Header("X-Hop-Secret"));
        Assert.DoesNotContain("hop-value", Mistral.LastRequest.Everything);
    }

    [Fact]
    public async Task Headers_the_provider_names_in_connection_never_reach_the_client()
    {
        await using var upstream = RawHttpUpstream.Start(
            "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop-Secret\r\nX-Hop-Secret: upstream-hop-value\r\nX-Request-Id: upstream-req-1\r\n", "{}");
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            pass_through_providers:
              mistral: { api_key: sk-real, api_base: {{upstream.Origin}} }
            """);

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "mistral/v1/models")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["upstream-req-1"], response.Headers.GetValues("X-Request-Id"));
        Assert.False(response.Headers.Contains("X-Hop-Secret"));
    }

    [Fact]
    public async Task User_agent_accept_content_type_and_provider_headers_are_forwarded()
    {
        using var request = ChatRequest();
        request.Headers.TryAddWithoutValidation("User-Agent", "my-app/1.2 (tollgate-test)");
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("X-Request-Id", "client-req-5");
        request.Headers.TryAddWithoutValidation("OpenAI-Beta", "assistants=v2");

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Mistral.LastRequest;
        Assert.Equal("my-app/1.2 (tollgate-test)", seen.Header("User-Agent"));
        Assert.Equal("application/json", seen.Header("Accept"));
        Assert.Equal("application/json; charset=utf-8", seen.Header("Content-Type"));
        Assert.Equal("client-req-5", seen.Header("X-Request-Id"));
        Assert.Equal("assistants=v2", seen.Header("OpenAI-Beta"));
        Assert.Equal(new Uri(Mistral.Origin).Authority, seen.Header("Host"));
    }

    [Fact]
    public async Task Pass_prefixed_authorization_is_dropped_where_the_credential_is_another_header()
    {
        // On Mistral the real Authorization would overwrite it anyway; Anthropic's credential is x-api-key.
        await using var anthropic = await SingleProviderGateway.StartAsync("anthropic", FakeAnthropic.HandleAsync, FakeAnthropic.ApiKey).DefaultTimeout();
        using var request = anthropic.Gateway.Request(HttpMethod.Post, "anthropic/v1/messages");
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Headers.TryAddWithoutValidation("x-pass-Authorization", "Bearer sk-attacker-0007");
        request.Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await anthropic.Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(anthropic.Upstream.LastRequest.Header("Authorization"));
        Assert.Equal(FakeAnthropic.ApiKey, anthropic.Upstream.LastRequest.Header("x-api-key"));
    }

    [Theory]
    [InlineData(KeyPlace.LitellmApiKey)]
    [InlineData(KeyPlace.LitellmApiKeyBearer)]
    [InlineData(KeyPlace.AuthorizationBearer)]
    [InlineData(KeyPlace.ApiKey)]
    [InlineData(KeyPlace.XApiKey)]
    [InlineData(KeyPlace.XGoogApiKey)]
    [InlineData(KeyPlace.OcpApimSubscriptionKey)]
    [InlineData(KeyPlace.QueryKey)]
    public async Task Virtual_key_is_accepted_from_each_place_and_never_forwarded(KeyPlace place)
    {
        using var request = ChatRequest(key: null, query: place == KeyPlace.QueryKey ? "?key=" + GatewayTestEnvironment.VirtualKey : "");
        Put(request, place, GatewayTestEnvironment.VirtualKey);

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Mistral.LastRequest;
        Assert.Equal("/v1/chat/completions", seen.RawTarget);
        Assert.Equal("Bearer " + FakeMistral.ApiKey, seen.Header("Authorization"));
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
        await Gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RequestForwarded).DefaultTimeout();
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, Gateway.Logs.AllText);
    }

    [Fact]
    public async Task Virtual_key_repeated_in_the_query_never_reaches_the_provider()
    {
        using var request = Gateway.Request(HttpMethod.Get, "mistral/v1/models?key=" + GatewayTestEnvironment.VirtualKey);

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, Mistral.LastRequest.Everything);
    }

    [Theory]
    [InlineData("KEY={0}", false)]
    [InlineData("Key={0}", false)]
    [InlineData("kEy={0}", false)]
    [InlineData("%6Bey={0}", false)]
    [InlineData("%4B%45%59={0}", false)]
    [InlineData("KEY={0}&key={0}&Key={0}", false)]
    [InlineData("key=a&KEY={0}", true)]
    [InlineData("Key={0}&%6bEY={0}", true)]
    public async Task Key_parameter_in_any_casing_encoding_or_repeat_never_reaches_the_provider(string keyParameters, bool keyInHeader)
    {
        foreach (var key in new[] { GatewayTestEnvironment.VirtualKey, GatewayTestEnvironment.MasterKey })
        {
            var target = "/mistral/v1/models?page=2&" + string.Format(System.Globalization.CultureInfo.InvariantCulture, keyParameters, key);
            var (status, _) = await RawHttp.SendAsync(Gateway.BaseUri, target, keyInHeader ? $"Authorization: Bearer {key}\r\n" : "").DefaultTimeout();

            Assert.Equal(200, status);
            Assert.Equal("/v1/models?page=2", Mistral.LastRequest.RawTarget);
            Assert.DoesNotContain(key, Mistral.LastRequest.Everything);
        }
    }

    [Theory]
    [InlineData(KeyPlace.LitellmApiKey, KeyPlace.AuthorizationBearer)]
    [InlineData(KeyPlace.AuthorizationBearer, KeyPlace.ApiKey)]
    [InlineData(KeyPlace.ApiKey, KeyPlace.XApiKey)]
    [InlineData(KeyPlace.XApiKey, KeyPlace.XGoogApiKey)]
    [InlineData(KeyPlace.XGoogApiKey, KeyPlace.OcpApimSubscriptionKey)]
    [InlineData(KeyPlace.OcpApimSubscriptionKey, KeyPlace.QueryKey)]
    public async Task The_first_place_in_contract_order_decides(KeyPlace first, KeyPlace second)
    {
        using (var invalidFirst = KeyedRequest(first, InvalidKey, second, GatewayTestEnvironment.VirtualKey))
        using (var response = await Gateway.Client.SendAsync(invalidFirst).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Empty(Mistral.Requests);
        }

        using (var validFirst = KeyedRequest(first, GatewayTestEnvironment.VirtualKey, second, InvalidKey))
        using (var response = await Gateway.Client.SendAsync(validFirst).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Bearer " + FakeMistral.ApiKey, Mistral.LastRequest.Header("Authorization"));
        }
    }

    public enum KeyPlace
    {
        LitellmApiKey,
        LitellmApiKeyBearer,
        AuthorizationBearer,
        ApiKey,
        XApiKey,
        XGoogApiKey,
        OcpApimSubscriptionKey,
        QueryKey,
    }

    private HttpRequestMessage KeyedRequest(KeyPlace first, string firstKey, KeyPlace second, string secondKey)
    {
        var query = first == KeyPlace.QueryKey ? firstKey : second == KeyPlace.QueryKey ? secondKey : null;
        var request = ChatRequest(key: null, query: query is null ? "" : "?key=" + query);
        Put(request, first, firstKey);
        Put(request, second, secondKey);
        return request;
    }

    /// <summary>Puts <paramref name="key"/> in a header place; the query place is part of the URL already.</summary>
    private static void Put(HttpRequestMessage request, KeyPlace place, string key)
    {
        var (name, value) = place switch
        {
            KeyPlace.LitellmApiKey => ("x-litellm-api-key", key),
            KeyPlace.LitellmApiKeyBearer => ("x-litellm-api-key", "Bearer " + key),
            KeyPlace.AuthorizationBearer => ("Authorization", "Bearer " + key),
            KeyPlace.ApiKey => ("api-key", key),
            KeyPlace.XApiKey => ("x-api-key", key),
            KeyPlace.XGoogApiKey => ("x-goog-api-key", key),
            KeyPlace.OcpApimSubscriptionKey => ("Ocp-Apim-Subscription-Key", key),
            _ => ((string?)null, (string?)null),
        };
        if (name is not null)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private HttpRequestMessage ChatRequest(string? key = GatewayTestEnvironment.VirtualKey, string query = "")
    {
        var request = Gateway.Request(HttpMethod.Post, ChatPath + query, key);
        request.Content = new StringContent(ChatBody, Encoding.UTF8, "application/json");
        return request;
    }
}
