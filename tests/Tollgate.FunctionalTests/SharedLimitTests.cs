using System.Net;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Two gateway instances behind one load balancer share keys (Postgres) and limits (Redis): a key's
/// limit holds for the pair, not for each. Without Redis each instance still enforces its own.
/// </summary>
public sealed class SharedLimitTests
{
    [SkippableFact]
    public async Task Parallel_limit_holds_across_two_instances()
    {
        RequireServers();
        const int Limit = 3;
        const int Fired = 24;
        await using var upstream = await GatedUpstream.StartAsync();
        var (first, second) = await StartPairAsync(upstream.Upstream);
        await using var a = first;
        await using var b = second;
        var key = (await a.GenerateKeyAsync($$"""{"max_parallel_requests":{{Limit}}}""")).GetProperty("key").GetString()!;

        var calls = Enumerable.Range(0, Fired).Select(i => CallAsync(i % 2 == 0 ? a : b, key)).ToList();
        try
        {
            var (refused, arrived) = await upstream.WaitForSettledAsync(calls);
            Assert.All(refused, c => Assert.Equal(HttpStatusCode.TooManyRequests, c.Result));
            Assert.Equal(Fired - Limit, refused.Count);
            Assert.Equal(Limit, arrived);
        }
        finally
        {
            upstream.Release();
        }

        await Task.WhenAll(calls).DefaultTimeout();
        Assert.Equal(HttpStatusCode.OK, await CallAsync(b, key));
    }

    [SkippableFact]
    public async Task Requests_per_minute_are_counted_across_two_instances()
    {
        RequireServers();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        var (first, second) = await StartPairAsync(upstream);
        await using var a = first;
        await using var b = second;
        var key = (await a.GenerateKeyAsync("""{"rpm_limit":4}""")).GetProperty("key").GetString()!;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add(await CallAsync(i % 2 == 0 ? a : b, key));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 4), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 6)], statuses);
        Assert.Equal(4, upstream.Requests.Count);
    }

    [SkippableFact]
    public async Task Tokens_per_minute_are_counted_across_two_instances()
    {
        RequireServers();
        await using var upstream = await FakeUpstream.StartAsync(Tollgate.FunctionalTests.FakeProviders.FakeOpenAi.HandleAsync);
        var yaml = $"pass_through_providers: {{ openai: {{ api_key: {Tollgate.FunctionalTests.FakeProviders.FakeOpenAi.ApiKey}, api_base: \"{upstream.Origin}\" }} }}";
        var (first, second) = await StartPairAsync(yaml);
        await using var a = first;
        await using var b = second;
        var key = (await a.GenerateKeyAsync("""{"tpm_limit":20}""")).GetProperty("key").GetString()!;

        // 13 tokens an answer: one call on each instance spends 26 of the pair's 20.
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(a, key));
        await WaitForRowsAsync(a, key, 1);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(b, key));
        await WaitForRowsAsync(a, key, 2);

        Assert.Equal(HttpStatusCode.TooManyRequests, await ChatAsync(a, key));
    }

    [SkippableFact]
    public async Task A_budget_holds_across_instances_through_redis_even_before_rows_reach_the_database()
    {
        RequireServers();
        var database = new Uri(await TestPostgres.CreateDatabaseAsync());
        await using var relay = new TcpRelay("127.0.0.1", database.Port);
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        var shared = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = new UriBuilder(database) { Port = relay.Port }.Uri.ToString(),
            ["REDIS_URL"] = TestRedis.ServerUrl!,
        };
        var yaml = $"""
            general_settings:
              master_key: {GatewayTestEnvironment.MasterKey}
              pass_through_endpoints:
                - {"{"} path: /paid, target: "{upstream.Origin}/paid", auth: true, cost_per_request: 0.25 {"}"}
            """;
        await using var a = await GatewayTestEnvironment.StartAsync(yaml, shared);
        await using var b = await GatewayTestEnvironment.StartAsync(yaml, shared);
        var key = (await a.GenerateKeyAsync("""{"max_budget":0.75}""")).GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await PaidAsync(a, key));
        Assert.Equal(HttpStatusCode.OK, await PaidAsync(b, key));

        // From here no spend row can reach the database: only Redis can tell b about a's spending.
        relay.Interrupt();
        Assert.Equal(HttpStatusCode.OK, await PaidAsync(a, key));
        var status = await Poll.UntilAsync(() => PaidAsync(b, key), status => status != HttpStatusCode.OK, _ => "b kept paying after a had spent the budget");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        relay.Resume();
    }

    [Fact]
    public async Task Without_redis_limits_hold_per_instance_and_the_outage_is_logged()
    {
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(ProviderYaml(upstream), general: $"  redis_url: redis://127.0.0.1:{port}");
        var key = (await gateway.GenerateKeyAsync("""{"rpm_limit":2}""")).GetProperty("key").GetString()!;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add(await CallAsync(gateway, key));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        await gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RedisUnavailable).DefaultTimeout();
        var metrics = await gateway.Client.GetStringAsync("metrics").DefaultTimeout();
        Assert.Contains("tollgate_redis_degraded 1", metrics, StringComparison.Ordinal);
        Assert.Contains("tollgate_redis_fallbacks_total 1", metrics, StringComparison.Ordinal);
    }

    private static void RequireServers()
    {
        TestPostgres.RequireServer();
        TestRedis.RequireServer();
    }

    private static Task<(GatewayTestEnvironment, GatewayTestEnvironment)> StartPairAsync(FakeUpstream upstream) =>
        StartPairAsync(ProviderYaml(upstream));

    private static async Task<(GatewayTestEnvironment, GatewayTestEnvironment)> StartPairAsync(string providerYaml)
    {
        var shared = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = await TestPostgres.CreateDatabaseAsync(),
            ["REDIS_URL"] = TestRedis.ServerUrl!,
        };
        var yaml = $"""
            general_settings:
              master_key: {GatewayTestEnvironment.MasterKey}
            {providerYaml}
            """;
        return (await GatewayTestEnvironment.StartAsync(yaml, shared), await GatewayTestEnvironment.StartAsync(yaml, shared));
    }

    private static string ProviderYaml(FakeUpstream upstream) =>
        $"pass_through_providers: {{ openai: {{ api_key: sk-real-key-for-limit-tests, api_base: \"{upstream.Origin}\" }} }}";

    private static async Task<HttpStatusCode> PaidAsync(GatewayTestEnvironment gateway, string key)
    {
        using var request = gateway.Request(HttpMethod.Post, "paid", key);
        request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> ChatAsync(GatewayTestEnvironment gateway, string key)
    {
        using var request = gateway.Request(HttpMethod.Post, "openai/v1/chat/completions", key);
        request.Content = new StringContent("""{"model":"gpt-4o-mini","messages":[]}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        return response.StatusCode;
    }

    /// <summary>Tokens are counted when a call's row is made: wait for the rows so the next check sees them.</summary>
    private static async Task WaitForRowsAsync(GatewayTestEnvironment gateway, string key, int count) =>
        await GuardrailTestRows.SpendRowsAsync(gateway, "api_key=" + key, rows => rows.GetArrayLength() >= count);

    private static async Task<HttpStatusCode> CallAsync(GatewayTestEnvironment gateway, string key)
    {
        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "openai/v1/models", key)).DefaultTimeout();
        return response.StatusCode;
    }
}
