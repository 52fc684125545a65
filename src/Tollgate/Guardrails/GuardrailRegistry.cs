using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Tollgate.Configuration;

namespace Tollgate.Guardrails;

/// <summary>Every configured guardrail, compiled once at start-up, by name; and the plans for the routes that name them.</summary>
internal sealed class GuardrailRegistry
{
    private readonly FrozenDictionary<string, Guardrail> _byName;

    public GuardrailRegistry(IReadOnlyList<GuardrailConfig> configs)
    {
        All = [.. configs.Select(Guardrail.Create)];
        _byName = All.ToFrozenDictionary(g => g.Name, StringComparer.Ordinal);
    }

    public static GuardrailRegistry Empty { get; } = new([]);

    /// <summary>In config order.</summary>
    public IReadOnlyList<Guardrail> All { get; }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, [NotNullWhen(true)] out Guardrail? guardrail) => _byName.TryGetValue(name, out guardrail);

    /// <summary>
    /// A provider route's plan for one mode; null when it names no guardrails of that mode (then no body is
    /// read or held for them).
    /// </summary>
    public GuardrailPlan? ForProvider(IReadOnlyList<string>? names, GuardrailMode mode)
    {
        var guardrails = (names ?? []).Select(Get).Where(g => g.Mode == mode).ToList();
        return guardrails.Count == 0 ? null : GuardrailPlan.Base(customEndpoint: false, mode).With(guardrails);
    }

    /// <summary>A custom endpoint's plan for one mode: each guardrail attached with fields gets its own selector bit.</summary>
    public GuardrailPlan? ForEndpoint(CustomEndpointConfig endpoint, GuardrailMode mode)
    {
        var names = endpoint.Guardrails.Where(n => Get(n).Mode == mode).ToList();
        if (names.Count == 0)
        {
            return null;
        }

        var groups = new List<(IEnumerable<JsonTextPath> Paths, ulong Selector)> { ([JsonTextPath.Everything], GuardrailPlan.DefaultSelector) };
        var steps = new List<GuardrailStep>();
        foreach (var name in names)
        {
            var selector = GuardrailPlan.DefaultSelector;
            if (endpoint.GuardrailFields.TryGetValue(name, out var fields) && fields.Count > 0 && groups.Count < 64)
            {
                selector = 1UL << groups.Count;
                groups.Add((fields.Select(f => JsonTextPath.Parse(f, subtree: true)), selector));
            }

            steps.Add(new GuardrailStep(Get(name), selector));
        }

        return new GuardrailPlan(TextPathSet.Build(groups, namesAndNumbers: true), steps);
    }

    private Guardrail Get(string name) =>
        _byName.TryGetValue(name, out var guardrail) ? guardrail : throw new InvalidOperationException($"guardrail '{name}' is not configured");
}
