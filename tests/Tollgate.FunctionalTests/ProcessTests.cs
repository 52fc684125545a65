using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests;

/// <summary>The gateway as an operator runs it: its own process, a config file, signals.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("tollgate-process-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Starts_with_no_config_at_all_and_answers_health_checks()
    {
        await using var gateway = GatewayProcess.Start(_directory.FullName, "--host", "127.0.0.1", "--port", "0");
        using var client = new HttpClient { BaseAddress = await gateway.ListeningAsync() };

        using var response = await client.GetAsync("health/liveliness").DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Reads_tollgate_yaml_from_the_working_directory()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("from upstream"));
        await WriteConfigAsync($$"""vllm: { api_base: "{{upstream.Origin}}" }""");
        await using var gateway = GatewayProcess.Start(_directory.FullName, "--host", "127.0.0.1", "--port", "0");
        using var client = new HttpClient { BaseAddress = await gateway.ListeningAsync() };
        client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-process-master");

        using var response = await client.GetAsync("vllm/v1/models").DefaultTimeout();

        Assert.Equal("from upstream", await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    [Fact]
    public async Task A_bad_config_stops_start_up_with_every_problem_listed()
    {
        var config = Path.Combine(_directory.FullName, "bad.yaml");
        await File.WriteAllTextAsync(config,
            """
            general_settings:
              master_key: os.environ/TOLLGATE_TEST_UNSET_VARIABLE
              pass_through_endpoints:
                - { path: /openai/mine, target: https://example.com }
            pass_through_providers:
              openia: { api_key: x }
              anthropic: { api_base: "not a url" }
            """);
        await using var gateway = GatewayProcess.Start(_directory.FullName, "--config", config, "--port", "0");

        var exitCode = await gateway.WaitForExitAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains("TOLLGATE_TEST_UNSET_VARIABLE", gateway.Output);
        Assert.Contains("/openai/mine", gateway.Output);
        Assert.Contains("openia: unknown provider", gateway.Output);
        Assert.Contains("anthropic.api_base", gateway.Output);
    }

    [Fact]
    public async Task Sigterm_finishes_in_flight_requests_then_exits_zero()
    {
        var requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            requestArrived.SetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await context.Response.WriteAsync("finished after SIGTERM");
        });
        await WriteConfigAsync($$"""vllm: { api_base: "{{upstream.Origin}}" }""");
        await using var gateway = GatewayProcess.Start(_directory.FullName, "--host", "127.0.0.1", "--port", "0");
        using var client = new HttpClient { BaseAddress = await gateway.ListeningAsync() };
        client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-process-master");

        var inFlight = client.GetAsync("vllm/v1/slow");
        await requestArrived.Task.DefaultTimeout();
        await gateway.SendSigtermAsync();
        await gateway.StoppingAsync();
        release.SetResult();
        using var response = await inFlight.DefaultTimeout();

        Assert.Equal("finished after SIGTERM", await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(0, await gateway.WaitForExitAsync());
    }

    [Fact]
    public async Task Sigterm_that_outlasts_the_shutdown_timeout_still_leaves_a_row_for_every_call()
    {
        const int Streams = 30;
        var streaming = 0;
        var allStreaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            if (context.Request.Path == "/v1/quick")
            {
                await context.Response.WriteAsync("{}");
                return;
            }

            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"n\":1}\n\n");
            await context.Response.Body.FlushAsync();
            if (Interlocked.Increment(ref streaming) == Streams)
            {
                allStreaming.SetResult();
            }

            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await WriteConfigAsync($$"""vllm: { api_base: "{{upstream.Origin}}" }""", general: "graceful_shutdown_timeout: 1");
        await using var gateway = GatewayProcess.Start(_directory.FullName, "--host", "127.0.0.1", "--port", "0");
        using var client = new HttpClient { BaseAddress = await gateway.ListeningAsync() };
        client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-process-master");

        // The database stays locked through the shutdown, so the writer is stuck on the rows of the finished calls.
        var callIds = new HashSet<string>();
        await using (var database = await LockedDatabaseAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                using var quick = await client.GetAsync("vllm/v1/quick").DefaultTimeout();
                callIds.Add(quick.Headers.GetValues("x-litellm-call-id").Single());
            }

            var streams = await Task.WhenAll(Enumerable.Range(0, Streams)
                .Select(_ => client.GetAsync("vllm/v1/stream", HttpCompletionOption.ResponseHeadersRead))).DefaultTimeout();
            await allStreaming.Task.DefaultTimeout();
            callIds.UnionWith(streams.Select(s => s.Headers.GetValues("x-litellm-call-id").Single()));
            await gateway.SendSigtermAsync();

            Assert.Equal(0, await gateway.WaitForExitAsync());
            foreach (var stream in streams)
            {
                stream.Dispose();
            }
        }

        Assert.Equal(callIds, await RowsKeptAsync());
    }

    [Fact]
    public async Task Kill_9_during_load_loses_no_row_of_an_answer_the_client_got_whole()
    {
        const int Workers = 8;
        const int Answered = 300;
        // With a Content-Length the answer is complete for the client at its last byte, which the gateway holds back
        // until the row is journaled (JournalOrderTests has the ordering; this is the whole process, killed).
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentLength = 2;
            await context.Response.WriteAsync("{}");
        }, recordBody: false);
        await WriteConfigAsync($$"""vllm: { api_base: "{{upstream.Origin}}" }""");
        var callIds = new System.Collections.Concurrent.ConcurrentBag<string>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var gateway = GatewayProcess.Start(_directory.FullName, "--host", "127.0.0.1", "--port", "0"))
        {
            using var client = new HttpClient { BaseAddress = await gateway.ListeningAsync() };
            client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-process-master");
            var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        using var response = await client.GetAsync("vllm/v1/models");
                        await response.Content.ReadAsByteArrayAsync();
                        callIds.Add(response.Headers.GetValues("x-litellm-call-id").Single());
                        if (callIds.Count >= Answered)
                        {
                            enough.TrySetResult();
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // The gateway is gone: calls in flight never got their answer.
                }
            })).ToArray();
            await enough.Task.DefaultTimeout();

            await gateway.KillAsync();
            await Task.WhenAll(workers).DefaultTimeout();
        }

        // A restart replays what the killed process left; a clean stop then writes it all.
        await using (var restarted = GatewayProcess.Start(_directory.FullName, "--host", "127.0.0.1", "--port", "0"))
        {
            await restarted.ListeningAsync();
            await restarted.SendSigtermAsync();
            Assert.Equal(0, await restarted.WaitForExitAsync());
        }

        var kept = await RowsKeptAsync();
        Assert.Subset(kept, callIds.ToHashSet());
    }

    [Fact]
    public async Task Memory_that_large_request_bodies_took_goes_back_to_the_system_once_their_calls_end()
    {
        const int BodyBytes = 70 * 1024 * 1024;
        const long Slack = 100L * 1024 * 1024;
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
            await context.Request.Body.CopyToAsync(Stream.Null);
            await context.Response.WriteAsync("{}");
        }, recordBody: false);
        await WriteConfigAsync($$"""openai: { api_key: sk-real, api_base: "{{upstream.Origin}}" }""");
        await using var gateway = GatewayProcess.Start(_directory.FullName, "--host", "127.0.0.1", "--port", "0");
        using var client = new HttpClient { BaseAddress = await gateway.ListeningAsync(), Timeout = TimeSpan.FromMinutes(2) };
        using var generate = new HttpRequestMessage(HttpMethod.Post, "key/generate") { Content = new StringContent("""{"models":["gpt-4o"]}""") };
        generate.Headers.Authorization = new("Bearer", "sk-process-master");
        using var generated = await client.SendAsync(generate).DefaultTimeout();
        var key = JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

        // A key with a models list has each body read whole for its model: three at once are held together.
        var prefix = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""u8.ToArray();
        var suffix = "\"}]}"u8.ToArray();
        var body = new byte[BodyBytes];
        body.AsSpan().Fill((byte)'a');
        prefix.CopyTo(body, 0);
        suffix.CopyTo(body, BodyBytes - suffix.Length);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(client, key, "{\"model\":\"gpt-4o\"}"u8.ToArray()));
        var before = gateway.ResidentBytes;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SendAsync(client, key, body)));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));

        await Poll.UntilAsync(
            () => gateway.ResidentBytes <= before + Slack,
            () => $"resident memory stayed at {gateway.ResidentBytes >> 20} MiB (before the bodies: {before >> 20} MiB)");
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string key, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "openai/v1/chat/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", key);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Writes tollgate.yaml in the working directory: the master key <c>sk-process-master</c>, <paramref name="general"/> more general settings, and one provider.</summary>
    private Task WriteConfigAsync(string provider, string general = "") =>
        File.WriteAllTextAsync(Path.Combine(_directory.FullName, "tollgate.yaml"),
            $$"""
            general_settings: { master_key: sk-process-master{{(general.Length > 0 ? ", " + general : "")}} }
            pass_through_providers:
              {{provider}}
            """);

    /// <summary>The gateway's SQLite database with a write transaction open, so its writes wait until this is disposed.</summary>
    private async Task<SqliteConnection> LockedDatabaseAsync()
    {
        var database = new SqliteConnection($"Data Source={Path.Combine(_directory.FullName, "tollgate.db")};Pooling=False");
        await database.OpenAsync();
        await using var begin = database.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        await begin.ExecuteNonQueryAsync();
        return database;
    }

    /// <summary>The request ids of the rows in the gateway's SQLite database and its spill file.</summary>
    private async Task<HashSet<string>> RowsKeptAsync()
    {
        var ids = new HashSet<string>();
        await using (var database = new SqliteConnection($"Data Source={Path.Combine(_directory.FullName, "tollgate.db")};Pooling=False"))
        {
            await database.OpenAsync();
            await using var command = database.CreateCommand();
            command.CommandText = "SELECT request_id FROM spend_logs;";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }
        }

        var spill = Path.Combine(_directory.FullName, "tollgate-spend-spill.jsonl");
        if (File.Exists(spill))
        {
            foreach (var line in await File.ReadAllLinesAsync(spill))
            {
                ids.Add(JsonDocument.Parse(line).RootElement.GetProperty("RequestId").GetString()!);
            }
        }

        return ids;
    }
}
