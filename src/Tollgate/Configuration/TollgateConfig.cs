using Tollgate.Metering.Pricing;

namespace Tollgate.Configuration;

/// <summary>The validated, immutable snapshot of the config file (contract section 2).</summary>
internal sealed record TollgateConfig
{
    public static readonly TollgateConfig Empty = new();

    public GeneralSettings General { get; init; } = new();

    public LitellmSettings Litellm { get; init; } = new();

    /// <summary><c>pass_through_providers</c>, keyed by provider name (lower case).</summary>
    public IReadOnlyDictionary<string, ProviderConfig> Providers { get; init; } =
        new Dictionary<string, ProviderConfig>();

    public VertexConfig? DefaultVertex { get; init; }

    /// <summary>
    /// <c>model_prices</c>: prices that replace or add to the built-in table, keyed by model name (compared
    /// without case); see <see cref="PriceTable.WithOverrides"/>. Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, ModelPriceOverride> ModelPrices { get; init; } =
        new Dictionary<string, ModelPriceOverride>();

    /// <summary><c>guardrails</c> (contract section 7), in config order; names are unique. Empty by default.</summary>
    public IReadOnlyList<GuardrailConfig> Guardrails { get; init; } = [];

    /// <summary>What the file holds that is allowed but probably a mistake (a misspelt key), logged at start.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

internal sealed record GeneralSettings
{
    public string? MasterKey { get; init; }

    public string? DatabaseUrl { get; init; }

    public string? RedisUrl { get; init; }

    /// <summary>Explicit opt-out of authentication; logged loudly at start.</summary>
    public bool AllowUnauthenticated { get; init; }

    public IReadOnlyList<CustomEndpointConfig> PassThroughEndpoints { get; init; } = [];

    /// <summary>Largest request body accepted, in MiB. Default 100.</summary>
    public double MaxRequestSizeMb { get; init; } = 100;

    /// <summary>
    /// Request bytes the gateway may hold in memory at once across calls (bodies read to sign, check or guard),
    /// in MiB. Default 256, or <see cref="MaxRequestSizeMb"/> if that is larger, so the largest body always fits.
    /// </summary>
    public double MaxBufferedRequestMb { get; init; } = 256;

    /// <summary>How long SIGTERM waits for in-flight requests, in seconds. Default 30.</summary>
    public double GracefulShutdownTimeoutSeconds { get; init; } = 30;

    /// <summary>
    /// Browser origins (<c>https://app.example.com</c>) that may open WebSockets through the gateway, or <c>"*"</c>.
    /// Default none: only handshakes without an Origin (not from a browser) are accepted.
    /// </summary>
    public IReadOnlyList<string> AllowedWebSocketOrigins { get; init; } = [];
}

internal sealed record LitellmSettings
{
    public bool IncludeCostInStreamingUsage { get; init; }
}

/// <summary>One <c>pass_through_providers.&lt;name&gt;</c> entry. Every field is optional.</summary>
internal sealed record ProviderConfig
{
    public string? ApiKey { get; init; }

    public string? ApiBase { get; init; }

    public string? AgentApiBase { get; init; }

    /// <summary>Seconds to wait for the first byte and between bytes. Default 600.</summary>
    public double? TimeoutSeconds { get; init; }

    public IReadOnlyList<string> Guardrails { get; init; } = [];

    public IReadOnlyList<VertexConfig> VertexCredentials { get; init; } = [];

    public string? AwsAccessKeyId { get; init; }

    public string? AwsSecretAccessKey { get; init; }

    public string? AwsSessionToken { get; init; }

    public string? AwsRegionName { get; init; }
}

internal sealed record VertexConfig
{
    public string? Project { get; init; }

    public string? Location { get; init; }

    /// <summary>A file path or inline service-account JSON.</summary>
    public string? Credentials { get; init; }
}

/// <summary>One <c>general_settings.pass_through_endpoints[]</c> entry (contract section 4).</summary>
internal sealed record CustomEndpointConfig
{
    public required string Path { get; init; }

    public required Uri Target { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public bool IncludeSubpath { get; init; }

    public bool ForwardHeaders { get; init; }

    public bool Auth { get; init; }

    public decimal? CostPerRequest { get; init; }

    public double? TimeoutSeconds { get; init; }

    /// <summary>Allowed methods, upper case; empty allows every method.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    public IReadOnlyDictionary<string, string> DefaultQueryParams { get; init; } = new Dictionary<string, string>();

    public bool MergeQueryParams { get; init; }

    /// <summary>Names of the guardrails that apply here, in the order written.</summary>
    public IReadOnlyList<string> Guardrails { get; init; } = [];

    /// <summary>
    /// LiteLLM's map form <c>guardrails: { name: { request_fields: [...] } }</c> (<c>response_fields</c> for a
    /// post_call guardrail): the JSON paths a guardrail examines here. A guardrail without an entry examines
    /// every string in the body.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> GuardrailFields { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();
}
