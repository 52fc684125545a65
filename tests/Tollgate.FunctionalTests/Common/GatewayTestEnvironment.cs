using System.Text.Json;
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
    private readonly DirectoryInfo _directory;

    private GatewayTestEnvironment(WebApplication app, Uri baseUri, CapturedLogs logs, DirectoryInfo directory)
    {
        _app = app;
        _directory = directory;
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

    /// <summary>Where the spend journal keeps the rows not yet written (next to the spill file).</summary>
    public string JournalFolder => Path.Combine(_directory.FullName, "spend-spill-journal");

    public CapturedLogs Logs { get; }

    /// <summary>
    /// A config with the master key and <paramref name="yaml"/>; <see cref="VirtualKey"/> is created
    /// through the admin API, as an operator would. <paramref name="general"/> adds lines to general_settings.
    /// </summary>
    public static async Task<GatewayTestEnvironment> StartWithKeysAsync(
        string yaml, IReadOnlyDictionary<string, string>? environment = null, string general = "", TimeProvider? time = null)
    {
        var gateway = await StartAsync(
            $"""
            general_settings:
              master_key: {MasterKey}
            {general}
            {yaml}
            """,
            environment,
            time);
        await gateway.GenerateKeyAsync($$"""{"key":"{{VirtualKey}}"}""");
        return gateway;
    }

    /// <summary>Starts the gateway with its own SQLite file (unless the environment names a DATABASE_URL).</summary>
    public static async Task<GatewayTestEnvironment> StartAsync(
        string yaml, IReadOnlyDictionary<string, string>? environment = null, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        var directory = Directory.CreateTempSubdirectory("tollgate-test-");
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        env.TryAdd("DATABASE_URL", "sqlite:" + Path.Combine(directory.FullName, "tollgate.db"));
        env.TryAdd("TOLLGATE_SPEND_SPILL_FILE", Path.Combine(directory.FullName, "spend-spill.jsonl"));
        Func<string, string?> lookup = name => env.TryGetValue(name, out var value) ? value : null;
        var logs = new CapturedLogs();
        var app = await TollgateApplication.BuildAsync(new GatewayStartOptions
        {
            ConfigYaml = yaml,
            Host = "127.0.0.1",
            Port = 0,
            Environment = lookup,
            TimeProvider = time ?? TimeProvider.System,
            ConfigureServices = services,
            ConfigureLogging = logging =>
            {
                logging.ClearProviders();
                logging.SetMinimumLevel(LogLevel.Debug);
                logging.AddProvider(logs);
            },
        }).DefaultTimeout();
        await app.StartAsync().DefaultTimeout();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new GatewayTestEnvironment(app, new Uri(address + "/"), logs, directory);
    }

    /// <summary>POSTs <paramref name="json"/> to <c>/key/generate</c> with the master key; returns the answer's JSON.</summary>
    public async Task<JsonElement> GenerateKeyAsync(string json)
    {
        using var request = Request(HttpMethod.Post, "key/generate", MasterKey);
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await Client.SendAsync(request).DefaultTimeout();
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"/key/generate answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// <c>GET /metrics</c> until it contains <paramref name="expected"/>: a call is counted just after the
    /// client has its answer. Fails when it never does.
    /// </summary>
    public Task<string> MetricsWhenAsync(string expected) =>
        MetricsWhenAsync(metrics => metrics.Contains(expected, StringComparison.Ordinal), $"/metrics never showed {expected}");

    /// <summary><c>GET /metrics</c> until <paramref name="done"/> says so; fails when it never does.</summary>
    public Task<string> MetricsWhenAsync(Func<string, bool> done, string failure = "/metrics never showed what was awaited") =>
        Poll.UntilAsync(() => Client.GetStringAsync("metrics").DefaultTimeout(), done, metrics => failure + ":\n" + metrics);

    /// <summary>The value of one series (name and labels exactly as printed) in a <c>/metrics</c> text.</summary>
    public static double MetricValue(string metrics, string series)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
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
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Another test's pool may still hold the file briefly; the temp folder is cleaned by the OS.
        }
    }
}
