using Tollgate.Configuration;

namespace Tollgate.Guardrails;

/// <summary>One configured guardrail, compiled: its detector (keywords, regex, pii) or its webhook.</summary>
internal sealed class Guardrail
{
    /// <summary>Webhook answer wait when <c>timeout_ms</c> is not set.</summary>
    public static readonly TimeSpan DefaultWebhookTimeout = TimeSpan.FromMilliseconds(1000);

    /// <summary>Time the patterns of a regex (or keywords) guardrail may take over one request when <c>timeout_ms</c> is not set.</summary>
    public static readonly TimeSpan DefaultPatternTimeout = TimeSpan.FromMilliseconds(100);

    private Guardrail(GuardrailConfig config, int order, ITextDetector? detector, TimeSpan timeout)
    {
        Name = config.Name;
        Kind = config.Kind;
        Mode = config.Mode;
        Action = config.Action;
        OnError = config.OnError;
        OnUnknownShape = config.OnUnknownShape;
        WebhookUrl = config.Url;
        WebhookHeaders = config.Headers;
        Order = order;
        Detector = detector;
        Timeout = timeout;
    }

    public string Name { get; }

    public GuardrailKind Kind { get; }

    /// <summary>On requests (pre_call) or on answers (post_call).</summary>
    public GuardrailMode Mode { get; }

    public GuardrailAction Action { get; }

    public GuardrailOnError OnError { get; }

    public GuardrailUnknownShape OnUnknownShape { get; }

    /// <summary>Position in the config's <c>guardrails:</c> list: the order within a phase.</summary>
    public int Order { get; }

    /// <summary>Null for a webhook.</summary>
    public ITextDetector? Detector { get; }

    public Uri? WebhookUrl { get; }

    public IReadOnlyDictionary<string, string> WebhookHeaders { get; }

    /// <summary>The webhook's answer wait, or the patterns' time limit.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>
    /// Run order: blocking detectors first (on the texts as sent), then masking ones, then webhooks, which
    /// see the texts as they would be forwarded (so an outside service never sees what was masked here).
    /// </summary>
    public int Phase => Kind == GuardrailKind.Webhook ? 2 : Action == GuardrailAction.Block ? 0 : 1;

    /// <exception cref="ArgumentException">A pattern or keyword does not compile (the config loader checks first).</exception>
    public static Guardrail Create(GuardrailConfig config, int order)
    {
        var timeout = config.TimeoutMs is { } ms
            ? TimeSpan.FromMilliseconds(ms)
            : config.Kind == GuardrailKind.Webhook ? DefaultWebhookTimeout : DefaultPatternTimeout;
        ITextDetector? detector = config.Kind switch
        {
            GuardrailKind.Keywords => new KeywordDetector(config.Keywords),
            GuardrailKind.Regex => new RegexDetector(config.Patterns, timeout),
            GuardrailKind.Pii => new PiiDetector(config.Entities),
            _ => null,
        };
        return new Guardrail(config, order, detector, timeout);
    }
}
