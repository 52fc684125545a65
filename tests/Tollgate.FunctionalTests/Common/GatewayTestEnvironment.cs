using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tollgate.Configuration;
using Tollgate.Hosting;

namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// The real gateway pipeline on 127.0.0.1:0, built from a YAML config and a private environment
/// (never the process's), with its logs captured.
/// </summary>
public sealed class GatewayTestEnvironment : IAsyncDisposable
{
    public const string MasterKey = "sk-master-test-0001";
    public const string VirtualKey = "sk-virtual-test-0002";

    private readonly WebApplication _app;

    private GatewayTestEnvironment(WebApplication app, Uri baseUri, CapturedLogs logs)
    {
        _app = app;
        BaseUri = baseUri;
        Logs = logs;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = baseUri,
            Timeout = TaskTimeoutExtensions.DefaultTimeoutSpan,
        };
    }

    /// <summary><c>http://127.0.0.1:port/</c></summary>
    public Uri BaseUri { get; }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    /// <summary>A config with the master key and <see cref="VirtualKey"/> accepted, plus <paramref name="yaml"/>.</summary>
    public static Task<GatewayTestEnvironment> StartWithKeysAsync(string yaml, IReadOnlyDictionary<string, string>? environment = null) =>
        StartAsync(
            $"""
            general_settings:
              master_key: {MasterKey}
              virtual_keys: [{VirtualKey}]
            {yaml}
            """,
            environment);

    public static async Task<GatewayTestEnvironment> StartAsync(string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = environment ?? new Dictionary<string, string>();
        Func<string, string?> lookup = name => env.TryGetValue(name, out var value) ? value : null;
        var config = ConfigLoader.LoadYaml(yaml, lookup);
        var logs = new CapturedLogs();
        var app = TollgateApplication.Build(new GatewayStartOptions
        {
            Config = config,
            Host = "127.0.0.1",
            Port = 0,
            Environment = lookup,
            ConfigureLogging = logging =>
            {
                logging.ClearProviders();
                logging.SetMinimumLevel(LogLevel.Debug);
                logging.AddProvider(logs);
            },
        });
        await app.StartAsync().DefaultTimeout();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new GatewayTestEnvironment(app, new Uri(address + "/"), logs);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? key = VirtualKey)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
    }
}
