using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Tollgate.FunctionalTests.Common;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Every call leaves a spend-log row, whatever its outcome, written off the request path and read
/// back through <c>/spend/logs</c>; spend adds up on the key and its budget holds.
/// </summary>
public sealed class SpendLogTests
{
    private const string Endpoint = "/rerank";

    [Fact]
    public async Task Each_call_writes_a_row_and_its_cost_adds_up_on_the_key()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("""{"results":[]}"""));
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("""{"key_alias":"search-team"}""")).GetProperty("key").GetString()!;

        var callIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var request = gateway.Request(HttpMethod.Post, Endpoint.TrimStart('/'), key);
            request.Headers.Add("x-litellm-tags", "search, nightly");
            request.Content = new StringContent("""{"query":"q"}""", Encoding.UTF8, "application/json");
            using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            callIds.Add(response.Headers.GetValues("x-litellm-call-id").Single());
        }

        var rows = await WaitForRowsAsync(gateway, $"spend/logs?api_key={key}", 3);
        Assert.Equal(callIds.Order(), rows.Select(r => r.GetProperty("request_id").GetString()).Order());
        var row = rows[0];
        Assert.Equal(Endpoint, row.GetProperty("route").GetString());
        Assert.Equal("custom", row.GetProperty("custom_llm_provider").GetString());
        Assert.Equal("search-team", row.GetProperty("key_alias").GetString());
        Assert.Equal("127.0.0.1", row.GetProperty("api_base").GetString());
        Assert.Equal(0.25m, row.GetProperty("spend").GetDecimal());
        Assert.Equal(["search", "nightly"], row.GetProperty("request_tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(("success", 200, false), (row.GetProperty("status").GetString(), row.GetProperty("status_code").GetInt32(), row.GetProperty("stream").GetBoolean()));
        Assert.True(row.GetProperty("completionStartTime").GetDateTimeOffset() >= row.GetProperty("startTime").GetDateTimeOffset());
        Assert.True(row.GetProperty("endTime").GetDateTimeOffset() >= row.GetProperty("completionStartTime").GetDateTimeOffset());
        Assert.DoesNotContain(key, JsonSerializer.Serialize(rows), StringComparison.Ordinal);

        var info = await WaitForAsync(gateway, "key/info?key=" + key, i => i.GetProperty("info").GetProperty("spend").GetDecimal() == 0.75m);
        Assert.Equal(0.75m, info.GetProperty("info").GetProperty("spend").GetDecimal());
        var tags = await AdminAsync(gateway, "spend/tags");
        Assert.Contains(tags.EnumerateArray(), t => t.GetProperty("individual_request_tag").GetString() == "nightly"
            && t.GetProperty("log_count").GetInt64() == 3 && t.GetProperty("total_spend").GetDecimal() == 0.75m);
    }

    [Fact]
    public async Task A_spent_budget_refuses_the_next_call()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("""{"max_budget":0.5}""")).GetProperty("key").GetString()!;

        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));
        await WaitForAsync(gateway, "key/info?key=" + key, i => i.GetProperty("info").GetProperty("spend").GetDecimal() == 0.5m);

        Assert.Equal(HttpStatusCode.BadRequest, await CallAsync(gateway, key));
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task A_call_counts_against_the_budget_the_moment_it_ends_and_its_row_does_not_count_it_again()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("""{"max_budget":0.6}""")).GetProperty("key").GetString()!;

        // Two calls of 0.25 whose rows are written: 0.5 spent, so a third fits the budget.
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));
        await WaitForAsync(gateway, "key/info?key=" + key, i => i.GetProperty("info").GetProperty("spend").GetDecimal() == 0.5m);
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));

        // 0.75 spent the moment the third call ended, before its row is written.
        Assert.Equal(HttpStatusCode.BadRequest, await CallAsync(gateway, key));
        Assert.Equal(3, upstream.Requests.Count);
        await WaitForAsync(gateway, "key/info?key=" + key, i => i.GetProperty("info").GetProperty("spend").GetDecimal() == 0.75m);
        Assert.Equal(HttpStatusCode.BadRequest, await CallAsync(gateway, key));
    }

    [Fact]
    public async Task Refusals_and_provider_errors_are_logged_as_failures_without_cost()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 503;
            return context.Response.WriteAsync("""{"error":"overloaded"}""");
        });
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("""{"allowed_routes":["/rerank"]}""")).GetProperty("key").GetString()!;

        var providerError = await CallWithIdAsync(gateway, key, Endpoint);
        var refused = await CallWithIdAsync(gateway, key, "/openai/v1/models", tags: "team-a");

        var failed = await WaitForAsync(gateway, "spend/logs?request_id=" + providerError, r => r.GetArrayLength() == 1);
        Assert.Equal(("failure", 503, 0m), (failed[0].GetProperty("status").GetString(), failed[0].GetProperty("status_code").GetInt32(), failed[0].GetProperty("spend").GetDecimal()));
        var rejected = await WaitForAsync(gateway, "spend/logs?request_id=" + refused, r => r.GetArrayLength() == 1);
        Assert.Equal(("failure", 403), (rejected[0].GetProperty("status").GetString(), rejected[0].GetProperty("status_code").GetInt32()));
        Assert.Equal("forbidden", rejected[0].GetProperty("metadata").GetProperty("error_type").GetString());
        Assert.Equal(["team-a"], rejected[0].GetProperty("request_tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task A_stream_the_client_abandons_still_writes_its_row()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"n\":1}\n\n");
            await context.Response.Body.FlushAsync();
            await Task.WhenAny(release.Task, Task.Delay(Timeout.Infinite, context.RequestAborted));
        });
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;

        string callId;
        using (var request = gateway.Request(HttpMethod.Post, Endpoint.TrimStart('/'), key))
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
            callId = response.Headers.GetValues("x-litellm-call-id").Single();
            await using var body = await response.Content.ReadAsStreamAsync().DefaultTimeout();
            var first = new byte[8];
            await body.ReadAtLeastAsync(first, 1).AsTask().DefaultTimeout();
        }

        var rows = await WaitForAsync(gateway, "spend/logs?request_id=" + callId, r => r.GetArrayLength() == 1);
        release.TrySetResult();
        var row = rows[0];
        Assert.Equal("failure", row.GetProperty("status").GetString());
        Assert.True(row.GetProperty("stream").GetBoolean());
        Assert.True(row.GetProperty("metadata").GetProperty("client_aborted").GetBoolean());
        Assert.Equal(0m, row.GetProperty("spend").GetDecimal());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stream_the_provider_breaks_or_stalls_writes_a_failure_row_that_does_not_blame_the_client(bool stalls)
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"n\":1}\n\n");
            await context.Response.Body.FlushAsync();
            if (stalls)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            await Task.Delay(100);
            context.Abort();
        });
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", general: EndpointSettings(upstream) + "\n      timeout: 0.3");
        var key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;

        using var request = gateway.Request(HttpMethod.Post, Endpoint.TrimStart('/'), key);
        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var callId = response.Headers.GetValues("x-litellm-call-id").Single();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => response.Content.ReadAsByteArrayAsync().DefaultTimeout());

        var rows = await WaitForAsync(gateway, "spend/logs?request_id=" + callId, r => r.GetArrayLength() == 1);
        Assert.Equal("failure", rows[0].GetProperty("status").GetString());
        Assert.Equal("ResponseBodyDestination", rows[0].GetProperty("metadata").GetProperty("forwarding_error").GetString());
        Assert.False(rows[0].GetProperty("metadata").TryGetProperty("client_aborted", out _));
    }

    [Fact]
    public async Task A_client_that_gives_up_before_the_answer_starts_is_logged_as_499_client_aborted()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;

        using (var giveUp = new CancellationTokenSource())
        using (var request = gateway.Request(HttpMethod.Post, Endpoint.TrimStart('/'), key))
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            var call = gateway.Client.SendAsync(request, giveUp.Token);
            await arrived.Task.DefaultTimeout();
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.DefaultTimeout());
        }

        var rows = await WaitForAsync(gateway, $"spend/logs?api_key={key}", r => r.GetArrayLength() == 1);
        Assert.Equal(499, rows[0].GetProperty("status_code").GetInt32());
        Assert.Equal("failure", rows[0].GetProperty("status").GetString());
        Assert.True(rows[0].GetProperty("metadata").GetProperty("client_aborted").GetBoolean());
    }

    [Fact]
    public async Task Rows_queued_at_shutdown_are_written_before_the_gateway_exits()
    {
        var folder = Directory.CreateTempSubdirectory("tollgate-spend-");
        var environment = new Dictionary<string, string> { ["DATABASE_URL"] = "sqlite:" + Path.Combine(folder.FullName, "tollgate.db") };
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        const int Calls = 40;
        string key;
        await using (var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", environment, EndpointSettings(upstream)))
        {
            key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;
            var statuses = await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ => CallAsync(gateway, key)));
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        }

        await using var restarted = await GatewayTestEnvironment.StartAsync(
            $"""
            general_settings:
              master_key: {GatewayTestEnvironment.MasterKey}
            """,
            environment);
        var rows = await AdminAsync(restarted, $"spend/logs?api_key={key}");
        Assert.Equal(Calls, rows.GetArrayLength());
        var info = await AdminAsync(restarted, "key/info?key=" + key);
        Assert.Equal(Calls * 0.25m, info.GetProperty("info").GetProperty("spend").GetDecimal());
    }

    [SkippableFact]
    public async Task Rows_written_while_the_database_is_down_arrive_once_it_is_back()
    {
        var environment = new Dictionary<string, string>();
        await using var relay = await PostgresBehindRelayAsync(environment);
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", environment, EndpointSettings(upstream));
        var key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));

        relay.Interrupt();
        const int Calls = 30;
        var statuses = await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ => CallAsync(gateway, key)));
        using (var admin = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "spend/logs", GatewayTestEnvironment.MasterKey)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, admin.StatusCode);
        }

        // The key was cached before the outage, so traffic goes on; its rows wait in the spill file.
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        await gateway.Logs.WaitForAsync(l => l.EventId == EventIds.SpendSpilled).DefaultTimeout();

        relay.Resume();
        var rows = await WaitForAsync(gateway, $"spend/logs?api_key={key}", r => r.GetArrayLength() == Calls + 1);
        Assert.Equal(Calls + 1, rows.GetArrayLength());
        var info = await WaitForAsync(gateway, "key/info?key=" + key, i => i.GetProperty("info").GetProperty("spend").GetDecimal() == (Calls + 1) * 0.25m);
        Assert.Equal((Calls + 1) * 0.25m, info.GetProperty("info").GetProperty("spend").GetDecimal());
    }

    [SkippableFact]
    public async Task A_budget_window_that_cannot_be_reset_answers_503_and_its_row_says_so()
    {
        var environment = new Dictionary<string, string>();
        await using var relay = await PostgresBehindRelayAsync(environment);
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("", environment, EndpointSettings(upstream), time);
        var key = (await gateway.GenerateKeyAsync("""{"max_budget":10,"budget_duration":"1s"}""")).GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));

        // Once the window has ended, the next call must start a new one in the database, which is down.
        time.Advance(TimeSpan.FromSeconds(1.2));
        relay.Interrupt();
        using (var request = gateway.Request(HttpMethod.Post, Endpoint.TrimStart('/'), key))
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("database_unavailable", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        }

        Assert.Single(upstream.Requests);
        relay.Resume();

        // The spend writer gathers rows for 100 ms of the gateway's clock, which only the test moves: a step per look.
        var rows = await Poll.UntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                return AdminAsync(gateway, $"spend/logs?api_key={key}");
            },
            rows => rows.GetArrayLength() == 2,
            rows => $"{rows.GetArrayLength()} of 2 rows were written");

        var refused = rows.EnumerateArray().Single(r => r.GetProperty("status_code").GetInt32() != 200);
        Assert.Equal(503, refused.GetProperty("status_code").GetInt32());
        Assert.Equal("failure", refused.GetProperty("status").GetString());
        Assert.Equal("database_unavailable", refused.GetProperty("metadata").GetProperty("error_type").GetString());
        Assert.Equal(0m, refused.GetProperty("spend").GetDecimal());
    }

    [SkippableFact]
    public async Task A_batch_retrying_against_a_database_that_is_down_is_spilled_at_shutdown_without_waiting()
    {
        var environment = new Dictionary<string, string> { ["TOLLGATE_SPEND_SPILL_FILE"] = Path.Combine(Directory.CreateTempSubdirectory("tollgate-spill-").FullName, "spill.jsonl") };
        await using var relay = await PostgresBehindRelayAsync(environment);
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        string key;

        // A clock that never moves: the writer's retry delays would never end, so only not waiting lets the gateway stop.
        var frozen = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var yaml = $"""
            general_settings:
              master_key: {GatewayTestEnvironment.MasterKey}
            {EndpointSettings(upstream)}
            """;
        await using (var gateway = await GatewayTestEnvironment.StartAsync(yaml, environment, frozen))
        {
            key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;
            Assert.Equal(HttpStatusCode.OK, await CallAsync(gateway, key));
            relay.Interrupt();

            // Ends the writer's gathering pause, so it tries and fails. The row is queued just after the client has
            // its answer, so the pause may start after any one step: step until the writer says it failed.
            await Poll.UntilAsync(
                () =>
                {
                    frozen.Advance(TimeSpan.FromMilliseconds(100));
                    return Task.FromResult(gateway.Logs.Entries.Any(l => l.EventId == EventIds.SpendWriteRetry));
                },
                failed => failed,
                _ => "the spend writer never tried the database");
        }

        relay.Resume();
        await using var restarted = await GatewayTestEnvironment.StartAsync(yaml, environment);
        var rows = await WaitForAsync(restarted, $"spend/logs?api_key={key}", r => r.GetArrayLength() == 1);
        Assert.Equal(1, rows.GetArrayLength());
    }

    [Fact]
    public async Task Spend_routes_take_only_the_master_key()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await GatewayFor(upstream);

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "spend/logs")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData(65, 1, "at most 64 tags")]
    [InlineData(1, 257, "at most 256 characters")]
    public async Task Too_many_or_too_long_tags_are_refused_and_the_refusal_has_its_row(int count, int length, string limit)
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;
        using var request = gateway.Request(HttpMethod.Post, Endpoint.TrimStart('/'), key);
        request.Headers.Add("x-litellm-tags", string.Join(',', Enumerable.Range(0, count).Select(i => i + new string('t', length - 1))));
        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Contains(limit, body, StringComparison.Ordinal);
        var callId = response.Headers.GetValues("x-litellm-call-id").Single();
        var row = await WaitForAsync(gateway, "spend/logs?request_id=" + callId, r => r.GetArrayLength() == 1);
        Assert.Equal(("failure", 400), (row[0].GetProperty("status").GetString(), row[0].GetProperty("status_code").GetInt32()));
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task The_last_day_of_the_calendar_is_a_valid_end_date()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await GatewayFor(upstream);
        var key = (await gateway.GenerateKeyAsync("{}")).GetProperty("key").GetString()!;
        using var request = gateway.Request(HttpMethod.Post, Endpoint.TrimStart('/'), key);
        request.Headers.Add("x-litellm-tags", "late");
        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        var rows = await WaitForRowsAsync(gateway, "spend/logs?start_date=2000-01-01&end_date=9999-12-31", 1);
        var tags = await AdminAsync(gateway, "spend/tags?end_date=9999-12-31");

        Assert.Single(rows);
        Assert.Equal("late", tags[0].GetProperty("individual_request_tag").GetString());
    }

    [Theory]
    [InlineData("spend/logs?start_date=yesterday", "start_date")]
    [InlineData("spend/tags?end_date=0001-01-01T00:00:00%2B14:00", "end_date")]
    [InlineData("spend/logs?api_key=nonsense", "api_key")]
    public async Task Bad_spend_queries_are_400s_that_name_the_field(string path, string named)
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        await using var gateway = await GatewayFor(upstream);

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, path, GatewayTestEnvironment.MasterKey)).DefaultTimeout();

        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} answered {(int)response.StatusCode}: {body}");
        Assert.StartsWith(named, JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A new Postgres database reached through a relay the test can cut; its DATABASE_URL goes into <paramref name="environment"/>.</summary>
    private static async Task<TcpRelay> PostgresBehindRelayAsync(Dictionary<string, string> environment)
    {
        TestPostgres.RequireServer();
        var database = new Uri(await TestPostgres.CreateDatabaseAsync());
        var relay = new TcpRelay("127.0.0.1", database.Port);
        environment["DATABASE_URL"] = new UriBuilder(database) { Port = relay.Port }.Uri.ToString();
        return relay;
    }

    private static Task<GatewayTestEnvironment> GatewayFor(FakeUpstream upstream) =>
        GatewayTestEnvironment.StartWithKeysAsync("", general: EndpointSettings(upstream));

    /// <summary>Lines for general_settings: the metered custom endpoint.</summary>
    private static string EndpointSettings(FakeUpstream upstream) =>
        $"""
          pass_through_endpoints:
            - path: {Endpoint}
              target: "{upstream.Origin}/v1/rerank"
              auth: true
              cost_per_request: 0.25
        """;

    private static async Task<HttpStatusCode> CallAsync(GatewayTestEnvironment gateway, string key)
    {
        using var request = gateway.Request(HttpMethod.Post, Endpoint.TrimStart('/'), key);
        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        return response.StatusCode;
    }

    private static async Task<string> CallWithIdAsync(GatewayTestEnvironment gateway, string key, string path, string? tags = null)
    {
        using var request = gateway.Request(HttpMethod.Post, path.TrimStart('/'), key);
        if (tags is not null)
        {
            request.Headers.Add("x-litellm-tags", tags);
        }

        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        return response.Headers.GetValues("x-litellm-call-id").Single();
    }

    private static async Task<JsonElement> AdminAsync(GatewayTestEnvironment gateway, string path)
    {
        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, path, GatewayTestEnvironment.MasterKey)).DefaultTimeout();
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Rows are written in the background: poll until the answer satisfies <paramref name="done"/>.</summary>
    private static Task<JsonElement> WaitForAsync(GatewayTestEnvironment gateway, string path, Func<JsonElement, bool> done) =>
        Poll.UntilAsync(() => AdminAsync(gateway, path), done, answer => $"{path} never answered what was awaited: {answer}");

    private static async Task<List<JsonElement>> WaitForRowsAsync(GatewayTestEnvironment gateway, string path, int count) =>
        [.. (await WaitForAsync(gateway, path, rows => rows.GetArrayLength() >= count)).EnumerateArray()];
}
