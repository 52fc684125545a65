using System.Data.Common;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;
using StackExchange.Redis;
using Tollgate.Admin;
using Tollgate.Configuration;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Guardrails;
using Tollgate.Keys;
using Tollgate.Metering;
using Tollgate.Metering.Costs;
using Tollgate.Metering.Pricing;
using Tollgate.Providers;
using Tollgate.Routing;
using Tollgate.Spend;
using Tollgate.Storage;
using Tollgate.Telemetry;

namespace Tollgate.Hosting;

/// <summary>Builds the gateway's web application from a validated config snapshot.</summary>
internal static partial class TollgateApplication
{
    /// <exception cref="ConfigurationException">The config file or the environment hold invalid values: all of them.</exception>
    /// <exception cref="StartupException">The database cannot be opened or migrated.</exception>
    public static async Task<WebApplication> BuildAsync(GatewayStartOptions options, CancellationToken cancellationToken = default)
    {
        var settings = GatewaySettings.Resolve(options);
        var (config, routes, limits, guardrails, masterKey) = (settings.Config, settings.Routes, settings.Limits, settings.Guardrails, settings.MasterKey);
        var database = await OpenDatabaseAsync(settings.Database, options.TimeProvider, cancellationToken);

        // No reloading of appsettings.json: its watcher sees every file change in the working directory, so
        // each spend-log write to a SQLite file there woke a thread to read and filter inotify events.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        if (!settings.TextLogs)
        {
            // One JSON object a line for log collectors; TOLLGATE_LOG_FORMAT=text for people. The relaxed
            // encoder still escapes control characters, so a client's ANSI escapes stay inert here too.
            builder.Logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                json.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
        else
        {
            builder.Logging.AddConsole(console => console.FormatterName = TextLogFormatter.FormatterName);
            builder.Logging.AddConsoleFormatter<TextLogFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (settings.OtlpEndpoint is null)
        {
            // This category logs nothing we keep, but while it is enabled ASP.NET Core starts an Activity per
            // request, HttpClient a child one, and prometheus-net reads exemplars from them. Only tracing needs
            // that context (to continue a client's trace), so without an exporter it is switched off.
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        }

        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        options.ConfigureLogging?.Invoke(builder.Logging);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            Listen(kestrel, options.Host, options.Port);
        });
        builder.Services.Configure<HostOptions>(host =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(config.General.GracefulShutdownTimeoutSeconds));

        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(options.TimeProvider);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(routes);
        builder.Services.AddSingleton(settings.Invokers);
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton(new RequestBufferBudget(config.General.MaxBufferedRequestMb));
        builder.Services.AddSingleton(new WebSocketPolicy(config.General.AllowedWebSocketOrigins));
        builder.Services.AddSingleton(guardrails);
        builder.Services.AddSingleton<GuardrailWebhookClient>();
        builder.Services.AddSingleton<GuardrailSteps>();
        builder.Services.AddSingleton<RequestGuardrails>();
        builder.Services.AddSingleton<AnswerGuardrails>();
        builder.Services.AddSingleton(_ => database);
        builder.Services.AddSingleton(masterKey);
        builder.Services.AddSingleton<KeyRepository>();
        builder.Services.AddSingleton<KeySpendLedger>();
        builder.Services.AddSingleton<KeyCache>();
        builder.Services.AddSingleton<KeyBudget>();
        builder.Services.AddSingleton<KeyGate>();
        var spillPath = settings.SpillPath;
        builder.Services.AddSingleton(new SpillFile(spillPath));
        builder.Services.AddSingleton(_ => new SpendJournal(Path.ChangeExtension(spillPath, null) + "-journal"));
        builder.Services.AddSingleton<SpendLogRepository>();
        builder.Services.AddSingleton<SpendLogWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SpendLogWriter>());
        var prices = PriceTable.BuiltIn.WithOverrides(config.ModelPrices);
        builder.Services.AddSingleton(prices);
        builder.Services.AddSingleton(new CallPricing(prices, config.Litellm.IncludeCostInStreamingUsage));
        builder.Services.AddSingleton<SpendRecorder>();
        builder.Services.AddSingleton<GatewayMetrics>();
        if (settings.OtlpEndpoint is { } otlpEndpoint)
        {
            // One span per pass-through call, exported over OTLP; off (and free) unless the endpoint is set.
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService(settings.ServiceName))
                // Always on: ASP.NET Core's own request activity is there for log correlation but unsampled, and a
                // parent-based sampler would drop every call's span with it. Sample in the collector if needed.
                .WithTracing(tracing => tracing.AddSource(GatewayTracing.SourceName).SetSampler(new AlwaysOnSampler()).AddOtlpExporter(exporter =>
                {
                    // OTLP/gRPC by default; OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf posts to {endpoint}/v1/traces instead.
                    if (settings.OtlpOverHttp)
                    {
                        exporter.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
                        exporter.Endpoint = new Uri(otlpEndpoint, "v1/traces");
                    }
                    else
                    {
                        exporter.Endpoint = otlpEndpoint;
                    }
                }));
        }

        builder.Services.AddSingleton<TokenWindows>();
        builder.Services.AddSingleton<LocalKeyLimiter>();
        if (settings.Redis is { } redisOptions)
        {
            var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
            builder.Services.AddSingleton<IConnectionMultiplexer>(_ => redis);
            builder.Services.AddSingleton<IKeyLimiter, RedisKeyLimiter>();
            builder.Services.AddSingleton<SharedBudgetCounter>();
        }
        else
        {
            builder.Services.AddSingleton<IKeyLimiter>(services => services.GetRequiredService<LocalKeyLimiter>());
        }

        builder.Services.AddSingleton<IVirtualKeyAuthenticator, KeyAuthenticator>();
        options.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMiddleware<CallIdMiddleware>();
        app.UseMiddleware<UnhandledErrorMiddleware>();
        app.UseMiddleware<PassThroughMiddleware>();
        app.Use(static (context, next) =>
        {
            // Past the provider routes only the gateway's own answers remain (admin, health, metrics, 404).
            GatewayJson.AddNoSniff(context.Response);
            return next(context);
        });
        app.UseMiddleware<DatabaseOutageMiddleware>();
        app.UseRouting();
        app.Use(static (context, next) => context.GetEndpoint() is null ? NotFoundAsync(context) : next(context));

        app.MapGet("/health/liveliness", static () => Results.Text("\"I'm alive!\"", "application/json"));
        app.MapGet("/health/liveness", static () => Results.Text("\"I'm alive!\"", "application/json"));
        app.MapGet("/health/readiness", ReadinessAsync);
        app.MapKeyAdmin();
        app.MapSpendAdmin();
        var metrics = app.Services.GetRequiredService<GatewayMetrics>();
        metrics.Observe(app.Services.GetRequiredService<SpendLogWriter>());
        metrics.Observe(app.Services.GetRequiredService<RequestBufferBudget>());
        app.MapMetrics("/metrics", metrics.Registry);

        LogStartup(app, config, routes, masterKey, database, guardrails);
        return app;
    }

    private static async Task<Database> OpenDatabaseAsync(DatabaseLocation location, TimeProvider time, CancellationToken cancellationToken)
    {
        var database = Database.Open(location);
        try
        {
            await Migrations.ApplyAsync(database, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
            return database;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or TimeoutException)
        {
            await database.DisposeAsync();
            throw new StartupException($"Could not open the database ({location.Description}): {e.Message}", e);
        }
    }

    /// <summary>Ready when the database answers; keys and spend live there.</summary>
    private static async Task<IResult> ReadinessAsync(Database database, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await using var connection = await database.OpenConnectionAsync(timeout.Token);
            await using var command = Sql.Command(connection, null, "SELECT 1;");
            await command.ExecuteScalarAsync(timeout.Token);
            return Results.Json(new { status = "healthy", db = "connected" });
        }
        catch (Exception e) when (e is DbException or OperationCanceledException or IOException or TimeoutException)
        {
            return Results.Json(new { status = "unhealthy", db = "unreachable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static Task NotFoundAsync(HttpContext context) =>
        ErrorResponse.WriteAsync(context, new GatewayFailure(GatewayError.NotFound,
            $"No route for {context.Request.Method} {context.Request.Path}. Provider routes start with {ProviderRegistry.RouteList}."));

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, string host, int port)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port);
        }
        else if (IPAddress.TryParse(host, out var address))
        {
            kestrel.Listen(address, port);
        }
        else
        {
            throw new CommandLineException($"--host must be an IP address or 'localhost', got '{host}'.");
        }
    }

    private static void LogStartup(WebApplication app, TollgateConfig config, RouteTable routes, MasterKey masterKey, Database database, GuardrailRegistry guardrails)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tollgate");
        var ready = routes.Providers.Where(r => r.ConfigurationProblem is null).Select(r => r.Prefix).ToArray();
        Log.Started(logger, ready.Length == 0 ? "(none configured)" : string.Join(", ", ready), routes.CustomEndpoints.Count, database.Description);
        foreach (var warning in config.Warnings)
        {
            Log.ConfigWarning(logger, warning);
        }

        if (config.General.AllowUnauthenticated)
        {
            Log.RunningUnauthenticated(logger);
        }
        else if (masterKey.Hash is null)
        {
            Log.NoMasterKey(logger);
        }

        foreach (var guardrail in guardrails.All)
        {
            if (guardrail.Detector is RegexDetector { BacktrackingPatterns: { Count: > 0 } backtracking })
            {
                Log.PatternBacktracks(logger, guardrail.Name, string.Join(", ", backtracking), guardrail.Timeout.TotalMilliseconds);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.GatewayStarted, LogLevel.Information, "Tollgate configured: provider routes ready {Routes}, {CustomEndpointCount} custom endpoints, store {Database}")]
        public static partial void Started(ILogger logger, string routes, int customEndpointCount, string database);

        [LoggerMessage(EventIds.ConfigWarning, LogLevel.Warning, "Config: {Warning}")]
        public static partial void ConfigWarning(ILogger logger, string warning);

        [LoggerMessage(EventIds.RunningUnauthenticated, LogLevel.Warning,
            "general_settings.allow_unauthenticated is true: ANYONE who can reach this gateway can spend on its provider credentials")]
        public static partial void RunningUnauthenticated(ILogger logger);

        [LoggerMessage(EventIds.NoMasterKey, LogLevel.Warning,
            "No master key is configured: every provider route will answer 401. Set general_settings.master_key or LITELLM_MASTER_KEY")]
        public static partial void NoMasterKey(ILogger logger);

        [LoggerMessage(EventIds.GuardrailPatternBacktracks, LogLevel.Warning,
            "Guardrail {Guardrail}: patterns [{Patterns}] use constructs the linear regex engine lacks (lookarounds, backreferences, atomic groups); "
            + "they run on the backtracking engine, each request bounded by {TimeoutMs} ms (on_error decides what a timeout does)")]
        public static partial void PatternBacktracks(ILogger logger, string guardrail, string patterns, double timeoutMs);
    }
}
