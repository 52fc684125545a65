using System.Net;
using Microsoft.AspNetCore.Http;
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
        await File.WriteAllTextAsync(Path.Combine(_directory.FullName, "tollgate.yaml"),
            $$"""
            general_settings: { master_key: sk-process-master }
            pass_through_providers:
              vllm: { api_base: "{{upstream.Origin}}" }
            """);
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
        await File.WriteAllTextAsync(Path.Combine(_directory.FullName, "tollgate.yaml"),
            $$"""
            general_settings: { master_key: sk-process-master }
            pass_through_providers:
              vllm: { api_base: "{{upstream.Origin}}" }
            """);
        await using var gateway = GatewayProcess.Start(_directory.FullName, "--host", "127.0.0.1", "--port", "0");
        using var client = new HttpClient { BaseAddress = await gateway.ListeningAsync() };
        client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-process-master");

        var inFlight = client.GetAsync("vllm/v1/slow");
        await requestArrived.Task.DefaultTimeout();
        await gateway.SendSigtermAsync();
        await Task.Delay(300);
        release.SetResult();
        using var response = await inFlight.DefaultTimeout();

        Assert.Equal("finished after SIGTERM", await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(0, await gateway.WaitForExitAsync());
    }
}
