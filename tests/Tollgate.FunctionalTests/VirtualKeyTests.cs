using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Configuration;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Virtual keys over HTTP: the admin API's lifecycle and every check a key's settings make before the
/// provider is contacted, run once per store (<see cref="SqliteVirtualKeyTests"/>, <see cref="PostgresVirtualKeyTests"/>).
/// </summary>
public abstract class VirtualKeyTests : IAsyncLifetime
{
    private const string ProviderKey = "sk-real-openai-key-for-key-tests";

    /// <summary>The environment that points the gateway at this test's own database.</summary>
    private readonly Dictionary<string, string> _store = [];

    public async Task InitializeAsync()
    {
        if (await CreateDatabaseAsync() is { } url)
        {
            _store["DATABASE_URL"] = url;
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A <c>DATABASE_URL</c> for an empty database of this store; null when the store is not available here.</summary>
    protected abstract Task<string?> CreateDatabaseAsync();

    /// <summary>Skips (or in CI fails) when the store's server is absent.</summary>
    protected abstract void RequireStore();

    [SkippableFact]
    public async Task A_generated_key_works_until_it_is_blocked_or_deleted()
    {
        RequireStore();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayFor(upstream);

        var generated = await gateway.GenerateKeyAsync("""{"key_alias":"team-a","metadata":{"team":"a"},"tags":["prod"]}""");
        var key = generated.GetProperty("key").GetString()!;
        var token = generated.GetProperty("token").GetString()!;

        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        Assert.True(key.Length >= 3 + 43, key);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), token);
        Assert.Equal("sk-..." + key[^4..], generated.GetProperty("key_name").GetString());
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));

        var info = await AdminAsync(gateway, HttpMethod.Get, "key/info?key=" + key);
        Assert.Equal(token, info.GetProperty("key").GetString());
        Assert.Equal("team-a", info.GetProperty("info").GetProperty("key_alias").GetString());
        Assert.Equal("a", info.GetProperty("info").GetProperty("metadata").GetProperty("team").GetString());
        Assert.False(info.GetProperty("info").TryGetProperty("key", out _));

        var list = await AdminAsync(gateway, HttpMethod.Get, "key/list");
        Assert.Contains(token, list.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));

        // Changes on this instance take effect on the next request, cache or not.
        await AdminAsync(gateway, HttpMethod.Post, "key/update", $$"""{"key":"{{key}}","blocked":true}""");
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(gateway, key));
        await AdminAsync(gateway, HttpMethod.Post, "key/update", $$"""{"key":"{{token}}","blocked":false}""");
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));

        var deleted = await AdminAsync(gateway, HttpMethod.Post, "key/delete", $$"""{"keys":["{{key}}"]}""");
        Assert.Equal([key], deleted.GetProperty("deleted_keys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(gateway, key));
        Assert.Equal(2, upstream.Requests.Count);
    }

    [SkippableFact]
    public async Task Keys_survive_a_restart_on_the_same_database()
    {
        RequireStore();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        string key;
        await using (var first = await GatewayFor(upstream))
        {
            key = (await first.GenerateKeyAsync("""{"rpm_limit":100}""")).GetProperty("key").GetString()!;
        }

        // Started without StartWithKeysAsync, which would try to create its fixed key a second time.
        await using var second = await GatewayFor(upstream, TimeProvider.System);

        Assert.Equal(HttpStatusCode.OK, await CallAsync(second, key));
    }

    [SkippableFact]
    public async Task Admin_routes_take_only_the_master_key()
    {
        RequireStore();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", _store);

        using var withVirtualKey = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "key/list")).DefaultTimeout();
        using var withoutKey = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "key/list", key: null)).DefaultTimeout();
        using var withUnknownKey = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "key/list", key: "sk-nobody-knows-this-key")).DefaultTimeout();

        await AssertErrorAsync(withVirtualKey, HttpStatusCode.Forbidden, "forbidden");
        await AssertErrorAsync(withoutKey, HttpStatusCode.Unauthorized, "auth_error");
        await AssertErrorAsync(withUnknownKey, HttpStatusCode.Unauthorized, "auth_error");
    }

    [SkippableFact]
    public async Task Admin_routes_refuse_the_master_key_in_the_query_and_say_to_send_it_in_a_header()
    {
        RequireStore();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", _store);

        using var inQuery = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "key/list?KEY=" + GatewayTestEnvironment.MasterKey, key: null)).DefaultTimeout();
        using var infoInQuery = await gateway.Client.SendAsync(
            gateway.Request(HttpMethod.Get, "key/info?key=" + GatewayTestEnvironment.MasterKey, key: null)).DefaultTimeout();

        Assert.Contains("header", await AssertErrorAsync(inQuery, HttpStatusCode.Unauthorized, "auth_error"), StringComparison.Ordinal);
        Assert.Contains("header", await AssertErrorAsync(infoInQuery, HttpStatusCode.Unauthorized, "auth_error"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Without_a_master_key_admin_and_provider_routes_explain_how_to_set_one()
    {
        RequireStore();
        await using var gateway = await GatewayTestEnvironment.StartAsync("pass_through_providers: { openai: { api_key: sk-x } }", _store);

        using var admin = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "key/list", key: "sk-anything-at-all-000")).DefaultTimeout();
        using var provider = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "openai/v1/models", key: "sk-anything-at-all-000")).DefaultTimeout();

        Assert.Contains("LITELLM_MASTER_KEY", await AssertErrorAsync(admin, HttpStatusCode.Unauthorized, "auth_error"), StringComparison.Ordinal);
        Assert.Contains("master_key", await AssertErrorAsync(provider, HttpStatusCode.Unauthorized, "auth_error"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_master_key_can_come_from_LITELLM_MASTER_KEY()
    {
        RequireStore();
        await using var gateway = await GatewayTestEnvironment.StartAsync("", new Dictionary<string, string>(_store) { ["LITELLM_MASTER_KEY"] = GatewayTestEnvironment.MasterKey });

        var generated = await gateway.GenerateKeyAsync("{}");

        Assert.StartsWith("sk-", generated.GetProperty("key").GetString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Allowed_routes_limit_a_key_to_route_prefixes()
    {
        RequireStore();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("""{"allowed_routes":["/openai/v1/models"]}""")).GetProperty("key").GetString()!;

        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key, "openai/v1/models"));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key, "openai/v1/models/gpt-4o"));
        using var outside = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "openai/v1/modelsx", key)).DefaultTimeout();
        using var otherProvider = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "anthropic/v1/models", key)).DefaultTimeout();

        await AssertErrorAsync(outside, HttpStatusCode.Forbidden, "forbidden");
        await AssertErrorAsync(otherProvider, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(2, upstream.Requests.Count);
    }

    [SkippableFact]
    public async Task A_models_list_limits_the_model_named_in_the_body_and_keeps_the_body_intact()
    {
        RequireStore();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("""{"models":["gpt-4o-mini","claude-3-5-*"]}""")).GetProperty("key").GetString()!;
        const string Allowed = """{"messages":[{"role":"user","content":"hi"}],  "model" : "gpt-4o-mini","stream":false}""";

        var allowed = await PostAsync(gateway, key, "openai/v1/chat/completions", Allowed);
        var wildcard = await PostAsync(gateway, key, "anthropic/v1/messages", """{"model":"claude-3-5-haiku-20241022","max_tokens":8,"messages":[]}""");
        var listing = await CallAsync(gateway, key, "openai/v1/models");
        var refused = await PostAsync(gateway, key, "openai/v1/chat/completions", """{"model":"gpt-4o","messages":[]}""");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden), (allowed, wildcard, listing, refused));
        Assert.Equal(3, upstream.Requests.Count);
        Assert.Equal(Encoding.UTF8.GetBytes(Allowed), upstream.Requests.First().Body);
    }

    [SkippableFact]
    public async Task An_expired_key_is_refused()
    {
        RequireStore();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayFor(upstream, time);
        var key = (await gateway.GenerateKeyAsync("""{"duration":"1h"}""")).GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));

        time.Advance(TimeSpan.FromMinutes(61));
        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "openai/v1/models", key)).DefaultTimeout();

        Assert.Contains("expired", await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "auth_error"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task An_exhausted_budget_refuses_until_the_budget_window_ends()
    {
        RequireStore();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayFor(upstream, time);
        var key = (await gateway.GenerateKeyAsync("""{"max_budget":0.5,"budget_duration":"1h"}""")).GetProperty("key").GetString()!;
        await AdminAsync(gateway, HttpMethod.Post, "key/update", $$"""{"key":"{{key}}","spend":0.5}""");

        using var refused = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "openai/v1/models", key)).DefaultTimeout();
        await AssertErrorAsync(refused, HttpStatusCode.BadRequest, "budget_exceeded");
        Assert.Empty(upstream.Requests);

        time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));
        var info = await AdminAsync(gateway, HttpMethod.Get, "key/info?key=" + key);
        Assert.Equal(0m, info.GetProperty("info").GetProperty("spend").GetDecimal());
        Assert.True(info.GetProperty("info").GetProperty("budget_reset_at").GetDateTimeOffset() > time.GetUtcNow());
    }

    [SkippableFact]
    public async Task The_rpm_limit_answers_429_with_retry_after()
    {
        RequireStore();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("""{"rpm_limit":3}""")).GetProperty("key").GetString()!;

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));
        }

        using var limited = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "openai/v1/models", key)).DefaultTimeout();

        await AssertErrorAsync(limited, HttpStatusCode.TooManyRequests, "rate_limit_error");
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(3, upstream.Requests.Count);
    }

    [SkippableFact]
    public async Task Parallel_requests_beyond_the_limit_are_refused_and_the_slots_come_back()
    {
        RequireStore();
        const int Limit = 3;
        const int Fired = 20;
        await using var upstream = await GatedUpstream.StartAsync();
        await using var gateway = await GatewayFor(upstream.Upstream);
        var key = (await gateway.GenerateKeyAsync($$"""{"max_parallel_requests":{{Limit}}}""")).GetProperty("key").GetString()!;

        var calls = Enumerable.Range(0, Fired).Select(_ => CallAsync(gateway, key)).ToList();
        try
        {
            // Everything over the limit is answered at once, while the first ones still wait upstream.
            var (refused, arrived) = await upstream.WaitForSettledAsync(calls);
            Assert.Equal(Fired - Limit, refused.Count);
            Assert.All(refused, c => Assert.Equal(HttpStatusCode.TooManyRequests, c.Result));
            Assert.Equal(Limit, arrived);
        }
        finally
        {
            // Held requests must end, pass or fail, or the gateway could not stop.
            upstream.Release();
        }

        Assert.All(await Task.WhenAll(calls).DefaultTimeout(), status => Assert.True(status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
        Assert.Equal(Fired - Limit, calls.Count(c => c.Result == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));
    }

    [SkippableTheory]
    [InlineData("""{"max_budget":-1}""", "max_budget")]
    [InlineData("""{"rpm_limit":"ten"}""", "rpm_limit")]
    [InlineData("""{"budget_duration":"often"}""", "budget_duration")]
    [InlineData("""{"allowed_routes":["openai"]}""", "allowed_routes")]
    [InlineData("""{"team_id":"t1"}""", "team_id")]
    [InlineData("""{"key":"sk-short"}""", "key")]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("""{"duration":"3000000d"}""", "duration")]
    [InlineData("""{"budget_duration":"3000000d"}""", "budget_duration")]
    [InlineData("""{"duration":"99999999999999999999d"}""", "duration")]
    [InlineData("""{"max_budget":1e400}""", "max_budget")]
    [InlineData("""{"max_budget":79228162514264337593543950335}""", "max_budget")]
    [InlineData("""{"rpm_limit":99999999999999999999}""", "rpm_limit")]
    [InlineData("""{"tpm_limit":-5}""", "tpm_limit")]
    [InlineData("""{"max_parallel_requests":1.5}""", "max_parallel_requests")]
    [InlineData("""{"models":[1]}""", "models")]
    [InlineData("""{"tags":"prod"}""", "tags")]
    [InlineData("""{"metadata":[]}""", "metadata")]
    [InlineData("""{"blocked":"yes"}""", "blocked")]
    [InlineData("""{"key_alias":7}""", "key_alias")]
    [InlineData("""[1]""", "JSON object")]
    public async Task Bad_fields_are_400s_that_name_the_field(string body, string named)
    {
        RequireStore();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", _store);
        using var request = gateway.Request(HttpMethod.Post, "key/generate", GatewayTestEnvironment.MasterKey);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Contains(named, await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error"), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("""{"duration":"3000000d"}""", "duration")]
    [InlineData("""{"budget_duration":"3000000d"}""", "budget_duration")]
    [InlineData("""{"spend":-1}""", "spend")]
    [InlineData("""{"spend":1e28}""", "spend")]
    public async Task Bad_updates_are_400s_that_name_the_field(string fields, string named)
    {
        RequireStore();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", _store);
        var key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;
        using var request = gateway.Request(HttpMethod.Post, "key/update", GatewayTestEnvironment.MasterKey);
        request.Content = new StringContent($$"""{"key":"{{key}}",{{fields[1..]}}""", Encoding.UTF8, "application/json");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Contains(named, await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error"), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("key/list?page=2147483647&size=100")]
    [InlineData("key/info?key=sk-%00%FF")]
    public async Task Odd_admin_queries_answer_in_the_contracts_shape(string path)
    {
        RequireStore();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", _store);

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, path, GatewayTestEnvironment.MasterKey)).DefaultTimeout();

        Assert.True((int)response.StatusCode < 500, $"{path} answered {(int)response.StatusCode}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [SkippableFact]
    public async Task A_chunked_admin_body_over_the_limit_is_a_413_in_the_contracts_shape()
    {
        RequireStore();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", _store);
        using var request = gateway.Request(HttpMethod.Post, "key/generate", GatewayTestEnvironment.MasterKey);
        var metadata = new string('a', 2 * 1024 * 1024);
        request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$$"""{"metadata":{"a":"{{{metadata}}}"}}""")));
        request.Headers.TransferEncodingChunked = true;

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }

    [SkippableFact]
    public async Task Aliases_are_unique_and_keys_can_be_deleted_by_alias()
    {
        RequireStore();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", _store);
        await gateway.GenerateKeyAsync("""{"key_alias":"billing"}""");

        using var request = gateway.Request(HttpMethod.Post, "key/generate", GatewayTestEnvironment.MasterKey);
        request.Content = new StringContent("""{"key_alias":"billing"}""", Encoding.UTF8, "application/json");
        using var duplicate = await gateway.Client.SendAsync(request).DefaultTimeout();
        var deleted = await AdminAsync(gateway, HttpMethod.Post, "key/delete", """{"key_aliases":["billing"]}""");

        await AssertErrorAsync(duplicate, HttpStatusCode.BadRequest, "invalid_request_error");
        Assert.Equal(["billing"], deleted.GetProperty("deleted_keys").EnumerateArray().Select(k => k.GetString()));
    }

    private Task<GatewayTestEnvironment> GatewayFor(FakeUpstream upstream, TimeProvider? time = null) =>
        time is null
            ? GatewayTestEnvironment.StartWithKeysAsync(ProviderYaml(upstream), _store)
            : GatewayTestEnvironment.StartAsync(
                $"""
                general_settings:
                  master_key: {GatewayTestEnvironment.MasterKey}
                {ProviderYaml(upstream)}
                """,
                _store,
                time);

    private static string ProviderYaml(FakeUpstream upstream) =>
        $"""
        pass_through_providers:
          openai: {"{"} api_key: {ProviderKey}, api_base: "{upstream.Origin}" {"}"}
          anthropic: {"{"} api_key: {ProviderKey}, api_base: "{upstream.Origin}" {"}"}
        """;

    private static async Task<HttpStatusCode> CallAsync(GatewayTestEnvironment gateway, string key, string path = "openai/v1/models")
    {
        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, path, key)).DefaultTimeout();
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> PostAsync(GatewayTestEnvironment gateway, string key, string path, string json)
    {
        using var request = gateway.Request(HttpMethod.Post, path, key);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        return response.StatusCode;
    }

    private static async Task<JsonElement> AdminAsync(GatewayTestEnvironment gateway, HttpMethod method, string path, string? json = null)
    {
        using var request = gateway.Request(method, path, GatewayTestEnvironment.MasterKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <returns>The error message.</returns>
    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        return error.GetProperty("message").GetString()!;
    }
}

/// <summary>The key tests on the embedded default store, plus what only a file on disk can show.</summary>
public sealed class SqliteVirtualKeyTests : VirtualKeyTests
{
    private readonly List<DirectoryInfo> _folders = [];

    protected override Task<string?> CreateDatabaseAsync()
    {
        var folder = Directory.CreateTempSubdirectory("tollgate-keys-");
        _folders.Add(folder);
        return Task.FromResult<string?>("sqlite:" + Path.Combine(folder.FullName, "tollgate.db"));
    }

    protected override void RequireStore()
    {
    }

    [Fact]
    public async Task The_database_holds_only_the_keys_hash()
    {
        var folder = _folders[0];
        await using (var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", new Dictionary<string, string> { ["DATABASE_URL"] = "sqlite:" + Path.Combine(folder.FullName, "tollgate.db") }))
        {
            var key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            var stored = string.Concat(Directory.GetFiles(folder.FullName).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
            Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(key[3..], stored, StringComparison.Ordinal);
            Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), stored, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_old_virtual_keys_setting_stops_the_start_with_directions()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.LoadYaml("general_settings: { virtual_keys: [sk-a] }", _ => null));

        Assert.Contains("/key/generate", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>The key tests on Postgres, each with a database of its own.</summary>
public sealed class PostgresVirtualKeyTests : VirtualKeyTests
{
    protected override async Task<string?> CreateDatabaseAsync() =>
        TestPostgres.ServerUrl is null ? null : await TestPostgres.CreateDatabaseAsync();

    protected override void RequireStore() => TestPostgres.RequireServer();
}
