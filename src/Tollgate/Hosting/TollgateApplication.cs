using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tollgate.Configuration;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Keys;
using Tollgate.Routing;
using Tollgate.Telemetry;

namespace Tollgate.Hosting;

/// <summary>Builds the gateway's web application from a validated config snapshot.</summary>
internal static partial class TollgateApplication
{
    /// <exception cref="ConfigurationException">The environment fallbacks hold an invalid value.</exception>
    public static WebApplication Build(GatewayStartOptions options)
    {
        var config = options.Config;
        var invokers = new UpstreamInvokers();
        var limits = new GatewayLimits(config.General.MaxRequestSizeMb);
        var routes = RouteTableBuilder.Build(config, options.Environment, invokers, limits, options.TimeProvider);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
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
        builder.Services.AddSingleton(invokers);
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton<IVirtualKeyAuthenticator>(new ConfiguredKeyAuthenticator(config.General));

        var app = builder.Build();
        app.UseMiddleware<CallIdMiddleware>();
        app.UseMiddleware<PassThroughMiddleware>();
        app.UseRouting();
        app.Use(static (context, next) => context.GetEndpoint() is null ? NotFoundAsync(context) : next(context));

        app.MapGet("/health/liveliness", static () => Results.Text("\"I'm alive!\"", "application/json"));
        app.MapGet("/health/liveness", static () => Results.Text("\"I'm alive!\"", "application/json"));
        app.MapGet("/health/readiness", static () => Results.Json(new { status = "healthy" }));

        LogStartup(app, config, routes);
        return app;
    }

    private static Task NotFoundAsync(HttpContext context) =>
        ErrorResponse.WriteAsync(context, StatusCodes.Status404NotFound, ErrorTypes.NotFound,
            $"No route for {context.Request.Method} {context.Request.Path}. Provider routes start with /openai, /anthropic, /gemini, /vertex_ai, /bedrock, /azure, /cohere, /mistral, /assemblyai or /vllm.");

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

    private static void LogStartup(WebApplication app, TollgateConfig config, RouteTable routes)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tollgate");
        var ready = routes.Providers.Where(r => r.ConfigurationProblem is null).Select(r => r.Prefix).ToArray();
        Log.Started(logger, ready, routes.CustomEndpoints.Count);
        if (config.General.AllowUnauthenticated)
        {
            Log.RunningUnauthenticated(logger);
        }
        else if (config.General.MasterKey is null && config.General.VirtualKeys.Count == 0)
        {
            Log.NoMasterKey(logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.GatewayStarted, LogLevel.Information, "Tollgate configured: provider routes ready {Routes}, {CustomEndpointCount} custom endpoints")]
        public static partial void Started(ILogger logger, string[] routes, int customEndpointCount);

        [LoggerMessage(EventIds.RunningUnauthenticated, LogLevel.Warning,
            "general_settings.allow_unauthenticated is true: ANYONE who can reach this gateway can spend on its provider credentials")]
        public static partial void RunningUnauthenticated(ILogger logger);

        [LoggerMessage(EventIds.NoMasterKey, LogLevel.Warning,
            "No master key is configured: every provider route will answer 401. Set general_settings.master_key or LITELLM_MASTER_KEY")]
        public static partial void NoMasterKey(ILogger logger);
    }
}
