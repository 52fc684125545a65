using StackExchange.Redis;
using Tollgate.Configuration;
using Tollgate.Forwarding;
using Tollgate.Guardrails;
using Tollgate.Keys;
using Tollgate.Routing;
using Tollgate.Storage;

namespace Tollgate.Hosting;

/// <summary>
/// Start-up's one resolve step: the YAML config and the environment in, everything the gateway is built from out
/// (the config snapshot, the route table, the stores' locations, the telemetry settings), or every problem of
/// both at once, so an operator fixes them in one go. Nothing after this step reads the environment.
/// </summary>
internal sealed class GatewaySettings
{
    public required TollgateConfig Config { get; init; }

    public required MasterKey MasterKey { get; init; }

    public required DatabaseLocation Database { get; init; }

    /// <summary>Redis for counters shared across instances; null runs each instance on its own.</summary>
    public required ConfigurationOptions? Redis { get; init; }

    public required GuardrailRegistry Guardrails { get; init; }

    public required RouteTable Routes { get; init; }

    public required UpstreamInvokers Invokers { get; init; }

    public required GatewayLimits Limits { get; init; }

    /// <summary>Where spend rows go while the database is away; the journal sits next to it.</summary>
    public required string SpillPath { get; init; }

    /// <summary><c>TOLLGATE_LOG_FORMAT=text</c>: log lines for people rather than one JSON object a line.</summary>
    public required bool TextLogs { get; init; }

    /// <summary>The OTLP collector spans are exported to; null exports none.</summary>
    public required Uri? OtlpEndpoint { get; init; }

    /// <summary><c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>: post to <c>{endpoint}/v1/traces</c> rather than gRPC.</summary>
    public required bool OtlpOverHttp { get; init; }

    public required string ServiceName { get; init; }

    /// <exception cref="ConfigurationException">Every problem of the config file and the environment.</exception>
    public static GatewaySettings Resolve(GatewayStartOptions options)
    {
        var environment = options.Environment;
        var problems = new List<string>();
        var config = ReadConfig(options, problems);
        var invokers = new UpstreamInvokers();
        var limits = new GatewayLimits(config.General.MaxRequestSizeMb);
        var masterKey = ResolveMasterKey(config.General, environment, problems);

        var databaseUrl = config.General.DatabaseUrl ?? NonEmpty(environment("DATABASE_URL"));
        var database = DatabaseLocation.Parse(databaseUrl, out var databaseProblem);
        if (database is null)
        {
            problems.Add($"{(config.General.DatabaseUrl is null ? "DATABASE_URL" : "general_settings.database_url")}: {databaseProblem}");
        }

        var redisUrl = config.General.RedisUrl ?? NonEmpty(environment("REDIS_URL"));
        ConfigurationOptions? redis = null;
        if (redisUrl is not null && (redis = RedisLocation.Parse(redisUrl, out var redisProblem)) is null)
        {
            problems.Add($"{(config.General.RedisUrl is null ? "REDIS_URL" : "general_settings.redis_url")}: {redisProblem}");
        }

        Uri? otlpEndpoint = null;
        if (NonEmpty(environment("OTEL_EXPORTER_OTLP_ENDPOINT")) is { } otlp && !Uri.TryCreate(otlp, UriKind.Absolute, out otlpEndpoint))
        {
            problems.Add($"OTEL_EXPORTER_OTLP_ENDPOINT: '{otlp}' is not an absolute URL (e.g. http://collector:4317)");
        }

        var protocol = NonEmpty(environment("OTEL_EXPORTER_OTLP_PROTOCOL"));
        if (protocol is not (null or "grpc" or "http/protobuf"))
        {
            problems.Add($"OTEL_EXPORTER_OTLP_PROTOCOL: '{protocol}' is not one Tollgate exports (grpc or http/protobuf)");
        }

        var guardrails = new GuardrailRegistry(config.Guardrails);
        var routes = RouteTableBuilder.Build(config, environment, invokers, limits, options.TimeProvider, guardrails, problems);
        if (problems.Count > 0)
        {
            throw new ConfigurationException(options.ConfigPath is { } path ? $"{path} and the environment" : "the configuration and environment", problems);
        }

        return new GatewaySettings
        {
            Config = config,
            MasterKey = masterKey,
            Database = database!,
            Redis = redis,
            Guardrails = guardrails,
            Routes = routes,
            Invokers = invokers,
            Limits = limits,
            SpillPath = Path.GetFullPath(NonEmpty(environment("TOLLGATE_SPEND_SPILL_FILE")) ?? "tollgate-spend-spill.jsonl"),
            TextLogs = string.Equals(environment("TOLLGATE_LOG_FORMAT"), "text", StringComparison.OrdinalIgnoreCase),
            OtlpEndpoint = otlpEndpoint,
            OtlpOverHttp = protocol == "http/protobuf",
            ServiceName = NonEmpty(environment("OTEL_SERVICE_NAME")) ?? "tollgate",
        };
    }

    /// <summary>The file's or the text's snapshot; what it gets wrong joins <paramref name="problems"/>, and the rest is still checked.</summary>
    private static TollgateConfig ReadConfig(GatewayStartOptions options, List<string> problems)
    {
        var yaml = options.ConfigYaml;
        if (options.ConfigPath is { } path)
        {
            try
            {
                yaml = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{path}: cannot read the file: {e.Message}");
                return TollgateConfig.Empty;
            }
        }

        return yaml is null ? TollgateConfig.Empty : ConfigLoader.Read(yaml, options.Environment, problems);
    }

    private static MasterKey ResolveMasterKey(GeneralSettings general, Func<string, string?> environment, List<string> problems)
    {
        var key = general.MasterKey;
        if (key is null && NonEmpty(environment("LITELLM_MASTER_KEY")) is { } fromEnvironment)
        {
            if (!fromEnvironment.StartsWith("sk-", StringComparison.Ordinal))
            {
                problems.Add("LITELLM_MASTER_KEY: must start with \"sk-\"");
            }

            key = fromEnvironment;
        }

        return new MasterKey(key is null ? null : KeyHash.Of(key), general.AllowUnauthenticated);
    }

    private static string? NonEmpty(string? value) => RouteTableBuilder.NonEmpty(value);
}
