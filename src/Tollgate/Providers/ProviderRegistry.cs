using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Tollgate.Providers.Anthropic;
using Tollgate.Providers.AssemblyAi;
using Tollgate.Providers.Azure;
using Tollgate.Providers.Bedrock;
using Tollgate.Providers.Cohere;
using Tollgate.Providers.Gemini;
using Tollgate.Providers.Mistral;
using Tollgate.Providers.OpenAi;
using Tollgate.Providers.VertexAi;
using Tollgate.Providers.Vllm;

namespace Tollgate.Providers;

/// <summary>
/// The built-in providers (contract section 3), one definition each, and the lists and messages the
/// rest of the gateway derives from them, so none of it names a provider itself.
/// </summary>
internal static class ProviderRegistry
{
    /// <summary>Every provider, in <see cref="ProviderId"/> order (the contract's).</summary>
    public static readonly IReadOnlyList<ProviderDefinition> All = Checked([.. Enum.GetValues<ProviderId>().Select(Define)]);

    /// <summary>Every provider name <c>pass_through_providers</c> accepts.</summary>
    public static readonly FrozenSet<string> KnownNames = All.Select(p => p.Name).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>First path segments a custom endpoint may not claim: provider routes and the gateway's own.</summary>
    public static readonly FrozenSet<string> ReservedSegments =
        All.SelectMany(p => p.RoutePrefixes)
            .Concat(["key", "spend", "health", "metrics"])
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Each provider's first route prefix, for messages: <c>/openai, /anthropic, … or /vllm</c>.</summary>
    public static readonly string RouteList =
        string.Join(", ", All.SkipLast(1).Select(p => "/" + p.RoutePrefixes[0])) + " or /" + All[^1].RoutePrefixes[0];

    /// <summary>
    /// Every setting a <c>pass_through_providers</c> entry may hold: the union of the providers' own, so an
    /// entry may hold another provider's settings (they are ignored) as it always could.
    /// </summary>
    public static readonly FrozenSet<string> ConfigFields = All.SelectMany(p => p.ConfigFields).ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, ProviderDefinition> ByName = All.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    public static ProviderDefinition Get(ProviderId id) => All[(int)id];

    /// <summary>The provider named <paramref name="name"/> (<c>openai</c>); false for any other name, such as a custom endpoint's <c>custom</c>.</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out ProviderDefinition? provider) => ByName.TryGetValue(name, out provider);

    /// <summary>
    /// Throws unless every provider sits at its id's place and no two share a name or a route prefix (a
    /// definition copied for a new provider and not yet changed), so the gateway stops at start instead.
    /// </summary>
    internal static ProviderDefinition[] Checked(ProviderDefinition[] providers)
    {
        for (var i = 0; i < providers.Length; i++)
        {
            if ((int)providers[i].Id != i)
            {
                throw new InvalidOperationException($"The provider registered for {(ProviderId)i} says it is {providers[i].Id}.");
            }
        }

        var names = providers.Select(p => p.Name).GroupBy(n => n, StringComparer.Ordinal)
            .Concat(providers.SelectMany(p => p.RoutePrefixes).GroupBy(s => s, StringComparer.OrdinalIgnoreCase));
        if (names.FirstOrDefault(n => n.Count() > 1) is { } shared)
        {
            throw new InvalidOperationException($"Two providers are both called or routed as '{shared.Key}'.");
        }

        return providers;
    }

    // A provider's one registration: with its ProviderId member added, the compiler asks for its line here.
    private static ProviderDefinition Define(ProviderId id) => id switch
    {
        ProviderId.OpenAi => OpenAiProvider.Definition,
        ProviderId.Anthropic => AnthropicProvider.Definition,
        ProviderId.Gemini => GeminiProvider.Definition,
        ProviderId.VertexAi => VertexAiProvider.Definition,
        ProviderId.Bedrock => BedrockProvider.Definition,
        ProviderId.Azure => AzureProvider.Definition,
        ProviderId.Cohere => CohereProvider.Definition,
        ProviderId.Mistral => MistralProvider.Definition,
        ProviderId.AssemblyAi => AssemblyAiProvider.Definition,
        ProviderId.Vllm => VllmProvider.Definition,
    };
}
