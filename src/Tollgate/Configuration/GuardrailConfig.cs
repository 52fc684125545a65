using Tollgate.Guardrails;

namespace Tollgate.Configuration;

/// <summary>One <c>guardrails[]</c> entry (contract section 7), validated for its kind.</summary>
internal sealed record GuardrailConfig
{
    /// <summary>Unique; providers, endpoints and keys refer to the guardrail by it.</summary>
    public required string Name { get; init; }

    public required GuardrailKind Kind { get; init; }

    public GuardrailMode Mode { get; init; } = GuardrailMode.PreCall;

    /// <summary>For keywords, regex and pii; a webhook's answer decides for itself.</summary>
    public GuardrailAction Action { get; init; } = GuardrailAction.Block;

    public IReadOnlyList<string> Keywords { get; init; } = [];

    public IReadOnlyList<string> Patterns { get; init; } = [];

    public PiiEntities Entities { get; init; } = PiiEntities.All;

    /// <summary>The webhook's URL (http or https).</summary>
    public Uri? Url { get; init; }

    /// <summary>Headers sent with each webhook call (an API key for the service); values may be <c>os.environ/</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Webhook: how long to wait for its answer, in milliseconds (default 1000). Regex: how long the patterns
    /// may run over one request's texts (default 100).
    /// </summary>
    public int? TimeoutMs { get; init; }

    public GuardrailOnError OnError { get; init; } = GuardrailOnError.FailClosed;

    public GuardrailUnknownShape OnUnknownShape { get; init; } = GuardrailUnknownShape.Refuse;
}
