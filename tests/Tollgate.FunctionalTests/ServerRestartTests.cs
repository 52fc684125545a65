using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Postgres or Redis restarts while two gateway instances carry load: each instance reaches the server
/// through a <see cref="TcpRelay"/> that cuts every connection and refuses new ones for the outage, which
/// is what a client sees of a restart. Afterwards every call has its one row, and the key's limits held.
/// </summary>
public sealed class ServerRestartTests
{
    private const decimal CostPerCall = 0.25m;

    [SkippableFact]
    public async Task A_postgres_restart_under_load_loses_no_row_and_the_budget_overshoots_by_at_most_the_calls_in_flight()
    {
        TestPostgres.RequireServer();
        TestRedis.RequireServer();
        var database = new Uri(await TestPostgres.CreateDatabaseAsync());
        await using var postgres = new TcpRelay("127.0.0.1", database.Port);
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        var (first, second) = await StartPairAsync(upstream, new UriBuilder(database) { Port = postgres.Port }.Uri.ToString(), TestRedis.ServerUrl!);
        await using var a = first;
        await using var b = second;

        // The database comes back once both writers have given up retrying and spilled their rows.
        await LoadThroughOutageAsync(a, b, postgres, () => Task.WhenAll(a.Logs.WaitForAsync(l => l.EventId == EventIds.SpendSpilled), b.Logs.WaitForAsync(l => l.EventId == EventIds.SpendSpilled)));
    }

    [SkippableFact]
    public async Task A_redis_restart_under_load_loses_no_row_and_the_budget_overshoots_by_at_most_the_calls_in_flight()
    {
        TestPostgres.RequireServer();
        TestRedis.RequireServer();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var pair = await RedisRelayedPair.StartAsync(upstream);
        var (a, b, redis) = (pair.A, pair.B, pair.Redis);

        // Redis comes back once both instances have fallen back to their own limits. While it is away the budget is
        // shared through the database.
        await LoadThroughOutageAsync(a, b, redis, () => Task.WhenAll(a.Logs.WaitForAsync(l => l.EventId == EventIds.RedisUnavailable), b.Logs.WaitForAsync(l => l.EventId == EventIds.RedisUnavailable)));
    }

    [SkippableFact]
    public async Task While_redis_is_away_a_call_that_ended_on_one_instance_counts_on_the_other_at_once()
    {
        TestPostgres.RequireServer();
        TestRedis.RequireServer();
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var pair = await RedisRelayedPair.StartAsync(upstream);
        var (a, b, redis) = (pair.A, pair.B, pair.Redis);
        var probe = (await a.GenerateKeyAsync("""{"rpm_limit":1000}""")).GetProperty("key").GetString()!;
        redis.Interrupt();
        foreach (var gateway in new[] { a, b })
        {
            await LimitedAsync(gateway, probe);
            await gateway.Logs.WaitForAsync(l => l.EventId == EventIds.RedisUnavailable);
        }

        // Calls alternate between the instances, one at a time: each must see every call before it, so the budget of
        // 0.6 takes three calls of 0.25 and refuses the fourth, whichever instance answers.
        var key = (await a.GenerateKeyAsync("""{"max_budget":0.6}""")).GetProperty("key").GetString()!;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await PaidAsync(i % 2 == 0 ? a : b, key)).Status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], statuses);
        var info = await AdminAsync(b, "key/info?key=" + key);
        Assert.Equal(3 * CostPerCall, info.GetProperty("info").GetProperty("spend").GetDecimal());
    }

    [SkippableFact]
    public async Task A_redis_restart_leaves_the_parallel_limit_per_instance_during_the_outage_and_shared_again_after()
    {
        TestPostgres.RequireServer();
        TestRedis.RequireServer();
        const int Limit = 2;
        const int Fired = 12;
        await using var upstream = await GatedUpstream.StartAsync();
        await using var pair = await RedisRelayedPair.StartAsync(upstream.Upstream);
        var (a, b, redis) = (pair.A, pair.B, pair.Redis);
        var key = (await a.GenerateKeyAsync($$"""{"max_parallel_requests":{{Limit}}}""")).GetProperty("key").GetString()!;
        var probe = (await a.GenerateKeyAsync("""{"rpm_limit":1000}""")).GetProperty("key").GetString()!;

        // Shared: the pair holds the limit. Redis goes away while those calls still hold their slots.
        var shared = await HoldAsync(upstream, a, b, key, Fired, Limit);
        redis.Interrupt();
        await ReleaseAsync(upstream, shared);

        // Away: each instance holds the limit on its own.
        upstream.HoldAgain();
        await ReleaseAsync(upstream, await HoldAsync(upstream, a, b, key, Fired, 2 * Limit));
        Assert.Contains(a.Logs.Entries, l => l.EventId == EventIds.RedisUnavailable);

        // Back: once both instances use Redis again (seen with another key, so no slot of this one is taken meanwhile),
        // the pair holds the limit together, every slot given back.
        redis.Resume();
        await UntilRecoveredAsync(a, probe);
        await UntilRecoveredAsync(b, probe);
        upstream.HoldAgain();
        await ReleaseAsync(upstream, await HoldAsync(upstream, a, b, key, Fired, Limit));
    }

    /// <summary>Fires <paramref name="fired"/> calls across the pair: <paramref name="granted"/> of them must reach the upstream (held there) and the rest be refused.</summary>
    private static async Task<List<Task<HttpStatusCode>>> HoldAsync(GatedUpstream upstream, GatewayTestEnvironment a, GatewayTestEnvironment b, string key, int fired, int granted)
    {
        var calls = Enumerable.Range(0, fired).Select(i => LimitedAsync(i % 2 == 0 ? a : b, key)).ToList();
        var (refused, arrived) = await upstream.WaitForSettledAsync(calls);
        Assert.All(refused, c => Assert.Equal(HttpStatusCode.TooManyRequests, c.Result));
        Assert.Equal(fired - granted, refused.Count);
        Assert.True(arrived == granted, $"{arrived} calls reached the upstream, not {granted}; {calls.Count(c => c.IsCompleted)} of {fired} were answered: {string.Join(", ", calls.Where(c => c.IsCompletedSuccessfully).Select(c => (int)c.Result))}");
        return calls;
    }

    private static async Task ReleaseAsync(GatedUpstream upstream, List<Task<HttpStatusCode>> calls)
    {
        upstream.Release();
        await Task.WhenAll(calls).DefaultTimeout();
    }

    /// <summary>Redis is reconnected in the background: calls go on until one finds it and the instance says limits are shared again.</summary>
    private static async Task UntilRecoveredAsync(GatewayTestEnvironment gateway, string key) =>
        await Poll.UntilAsync(
            async () =>
            {
                var recovered = gateway.Logs.Entries.Any(l => l.EventId == EventIds.RedisRecovered);
                if (!recovered)
                {
                    await LimitedAsync(gateway, key);
                }

                return recovered;
            },
            recovered => recovered,
            _ => "the instance never said Redis was back:\n" + gateway.Logs.AllText);

    /// <summary>
    /// 8 workers make 10 calls each, alternating instances, on a key whose budget is 20 calls: the relay is cut as the
    /// 7th call starts, and the calls from the 49th on wait until <paramref name="outageSeen"/> and the relay is back.
    /// Afterwards every call has exactly one row, the spend beyond the budget is at most one call per worker (the ones
    /// in flight as it was reached), and the budget holds again.
    /// </summary>
    private static async Task LoadThroughOutageAsync(GatewayTestEnvironment a, GatewayTestEnvironment b, TcpRelay relay, Func<Task> outageSeen)
    {
        const int Workers = 8;
        const int CallsPerWorker = 10;
        const int CutAt = 6;
        const int ResumeAt = 48;
        const decimal Budget = 20 * CostPerCall;
        var key = (await a.GenerateKeyAsync($$"""{"max_budget":{{Budget}},"rpm_limit":1000}""")).GetProperty("key").GetString()!;

        // Both instances have used the key before the outage, as they would in service.
        var warmUp = new List<(int Index, HttpStatusCode Status, string CallId)>();
        foreach (var (gateway, index) in new[] { (a, -2), (b, -1) })
        {
            var (status, callId) = await PaidAsync(gateway, key);
            warmUp.Add((index, status, callId));
        }

        var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resumed = ResumeAfterAsync(cut.Task, outageSeen, relay);
        var started = 0;
        var calls = await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            var made = new List<(int Index, HttpStatusCode Status, string CallId)>();
            for (var i = 0; i < CallsPerWorker; i++)
            {
                var index = Interlocked.Increment(ref started) - 1;
                if (index == CutAt)
                {
                    relay.Interrupt();
                    cut.SetResult();
                }
                else if (index >= ResumeAt)
                {
                    await resumed.DefaultTimeout();
                }

                var (status, callId) = await PaidAsync(index % 2 == 0 ? a : b, key);
                made.Add((index, status, callId));
            }

            return made;
        }));
        var all = warmUp.Concat(calls.SelectMany(c => c)).ToList();

        var rows = (await WaitForRowsAsync(a, all.Count)).EnumerateArray().ToList();
        Assert.Equal(all.Select(c => c.CallId).Order(), rows.Select(r => r.GetProperty("request_id").GetString()).Order());

        var paid = all.Count(c => c.Status == HttpStatusCode.OK);
        Assert.All(all, c => Assert.True(c.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"call {c.Index} answered {(int)c.Status}"));
        Assert.InRange(paid * CostPerCall, Budget, Budget + Workers * CostPerCall);
        Assert.All(all.Where(c => c.Index >= ResumeAt), c => Assert.Equal(HttpStatusCode.BadRequest, c.Status));
        Assert.Equal(paid * CostPerCall, rows.Sum(r => r.GetProperty("spend").GetDecimal()));
        var info = await AdminAsync(b, "key/info?key=" + key);
        Assert.Equal(paid * CostPerCall, info.GetProperty("info").GetProperty("spend").GetDecimal());
        Assert.Equal(HttpStatusCode.BadRequest, (await PaidAsync(b, key)).Status);
    }

    private static async Task ResumeAfterAsync(Task cut, Func<Task> outageSeen, TcpRelay relay)
    {
        await cut;
        await outageSeen();
        relay.Resume();
    }

    /// <summary>Two instances on a fresh Postgres database, reaching Redis through a relay the test can cut.</summary>
    private sealed class RedisRelayedPair : IAsyncDisposable
    {
        private RedisRelayedPair(TcpRelay redis, GatewayTestEnvironment a, GatewayTestEnvironment b) => (Redis, A, B) = (redis, a, b);

        public TcpRelay Redis { get; }

        public GatewayTestEnvironment A { get; }

        public GatewayTestEnvironment B { get; }

        public static async Task<RedisRelayedPair> StartAsync(FakeUpstream upstream)
        {
            var redis = new TcpRelay("127.0.0.1", new Uri(TestRedis.ServerUrl!).Port);
            var (a, b) = await StartPairAsync(upstream, await TestPostgres.CreateDatabaseAsync(), $"redis://127.0.0.1:{redis.Port}");
            return new RedisRelayedPair(redis, a, b);
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }

    private static async Task<(GatewayTestEnvironment, GatewayTestEnvironment)> StartPairAsync(FakeUpstream upstream, string database, string redis)
    {
        var shared = new Dictionary<string, string> { ["DATABASE_URL"] = database, ["REDIS_URL"] = redis };
        var yaml = $"""
            general_settings:
              master_key: {GatewayTestEnvironment.MasterKey}
              pass_through_endpoints:
                - {"{"} path: /paid, target: "{upstream.Origin}/paid", auth: true, cost_per_request: {CostPerCall} {"}"}
            """;
        return (await GatewayTestEnvironment.StartAsync(yaml, shared), await GatewayTestEnvironment.StartAsync(yaml, shared));
    }

    private static async Task<(HttpStatusCode Status, string CallId)> PaidAsync(GatewayTestEnvironment gateway, string key)
    {
        using var request = gateway.Request(HttpMethod.Post, "paid", key);
        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        return (response.StatusCode, response.Headers.GetValues("x-litellm-call-id").Single());
    }

    private static async Task<HttpStatusCode> LimitedAsync(GatewayTestEnvironment gateway, string key) => (await PaidAsync(gateway, key)).Status;

    private static async Task<JsonElement> AdminAsync(GatewayTestEnvironment gateway, string path)
    {
        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, path, GatewayTestEnvironment.MasterKey)).DefaultTimeout();
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Spilled rows are replayed in the background: polls until the database has <paramref name="count"/> rows, or more.</summary>
    private static Task<JsonElement> WaitForRowsAsync(GatewayTestEnvironment gateway, int count) =>
        GuardrailTestRows.SpendRowsAsync(gateway, "", rows => rows.GetArrayLength() >= count);
}
