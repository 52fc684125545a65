namespace Tollgate.Guardrails;

/// <summary>
/// The guardrails that apply on one route, in run order, and where each finds its texts. Provider routes
/// read the providers' request shapes (<see cref="RequestTextPaths"/>); custom endpoints read the whole body
/// unless a guardrail was attached with <c>request_fields</c>. Selector bit 0 is the route's default texts.
/// </summary>
internal sealed class GuardrailPlan
{
    public const ulong DefaultSelector = 1;

    /// <summary>A provider route with no guardrails of its own: what a key's guardrails use.</summary>
    public static readonly GuardrailPlan ProviderBase = new(TextPathSet.Build([(RequestTextPaths.ProviderShapes, DefaultSelector)]), []);

    /// <summary>A custom endpoint with no guardrails of its own.</summary>
    public static readonly GuardrailPlan EndpointBase = new(TextPathSet.Build([([JsonTextPath.Everything], DefaultSelector)]), []);

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
