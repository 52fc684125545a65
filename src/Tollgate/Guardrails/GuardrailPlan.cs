namespace Tollgate.Guardrails;

/// <summary>
/// The guardrails that apply on one route in one mode (requests or answers), in run order, and where each
/// finds its texts. Provider routes read the providers' shapes (<see cref="RequestTextPaths"/>,
/// <see cref="ResponseTextPaths"/>); custom endpoints read the whole body unless a guardrail was attached
/// with fields. Selector bit 0 is the route's default texts.
/// </summary>
internal sealed class GuardrailPlan
{
    public const ulong DefaultSelector = 1;

    /// <summary>A provider route with no guardrails of its own: what a key's guardrails use on requests.</summary>
    public static readonly GuardrailPlan ProviderBase = new(TextPathSet.Build([(RequestTextPaths.ProviderShapes, DefaultSelector)]), []);

    /// <summary>As <see cref="ProviderBase"/>, for answers.</summary>
    public static readonly GuardrailPlan ProviderResponseBase = new(TextPathSet.Build([(ResponseTextPaths.ProviderShapes, DefaultSelector)]), []);

    /// <summary>A custom endpoint with no guardrails of its own (requests and answers alike: every string).</summary>
    public static readonly GuardrailPlan EndpointBase = new(TextPathSet.Build([([JsonTextPath.Everything], DefaultSelector)], namesAndNumbers: true), []);

    public static GuardrailPlan Base(bool customEndpoint, GuardrailMode mode) =>
        customEndpoint ? EndpointBase : mode == GuardrailMode.PreCall ? ProviderBase : ProviderResponseBase;

    public GuardrailPlan(TextPathSet paths, IEnumerable<GuardrailStep> steps)
    {
        Paths = paths;
        Steps = [.. steps.OrderBy(s => s.Guardrail.Phase).ThenBy(s => s.Guardrail.Order)];
    }

    public TextPathSet Paths { get; }

    public GuardrailStep[] Steps { get; }

    /// <summary>This plan plus the guardrails in <paramref name="extra"/> that it does not already run, on the default texts.</summary>
    public GuardrailPlan With(IEnumerable<Guardrail> extra)
    {
        var added = extra.Where(g => !Steps.Any(s => s.Guardrail == g)).Distinct().ToList();
        return added.Count == 0 ? this : new GuardrailPlan(Paths, Steps.Concat(added.Select(g => new GuardrailStep(g, DefaultSelector))));
    }
}
