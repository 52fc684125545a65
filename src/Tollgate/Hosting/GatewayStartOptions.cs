using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tollgate.Hosting;

/// <summary>Everything needed to build a gateway: the program fills it from the command line, tests directly.</summary>
internal sealed record GatewayStartOptions
{
    /// <summary>The YAML config file (<c>--config</c>, or <c>tollgate.yaml</c> in the working directory); null for none.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The YAML config's text, when there is no file (tests); with neither, defaults and the environment.</summary>
    public string? ConfigYaml { get; init; }

    public string Host { get; init; } = "0.0.0.0";

    public int Port { get; init; } = 4000;

    /// <summary>Where <c>os.environ/</c> fallbacks are read; tests pass their own.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Runs after the gateway's own registrations: tests add what watches the pipeline from outside.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
