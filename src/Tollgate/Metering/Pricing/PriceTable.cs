using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Tollgate.Metering.Pricing;

/// <summary>
/// Prices by provider and model: the built-in table (<c>model_prices.jsonc</c>, from LiteLLM's price
/// data) with the config's <c>model_prices</c> laid over it. Immutable; a config reload builds a new one
/// with <see cref="WithOverrides"/>.
/// </summary>
/// <remarks>
/// <see cref="TryGet"/> looks in this order and takes the first hit:
/// <list type="number">
/// <item>configured prices (<c>model_prices</c>), for each name <see cref="ModelNames.Candidates"/> gives,
/// most specific first: one restricted to exactly this provider, then one for every provider;</item>
/// <item>built-in prices, for each of those names, in the provider's lookup order
/// (<see cref="PricingProviders.LookupOrder"/>: Azure falls back to OpenAI, Vertex AI to Gemini).</item>
/// </list>
/// So a configured price always beats a built-in one (an override of <c>gpt-4o</c> also prices
/// <c>gpt-4o-2024-08-06</c>), and within each layer the exact name beats a normalised one (a Bedrock
/// <c>us.</c> profile with its own regional price beats the base model id).
/// </remarks>
internal sealed class PriceTable
{
    /// <summary>The provider key of a configured price that applies to every provider.</summary>
    private const string AnyProvider = "*";

    private static readonly Lazy<PriceTable> BuiltInTable = new(
        () => new PriceTable(BuiltInPrices.Load().ToFrozenDictionary(ProviderModelComparer.Instance), Empty()));

    /// <summary>How many different (provider, model) lookups are remembered; later new ones are worked out each time.</summary>
    private const int MaxRemembered = 4096;

    private readonly FrozenDictionary<(string Provider, string Model), ModelPrice> _builtIn;
    private readonly FrozenDictionary<(string Provider, string Model), ModelPrice> _configured;

    // Every call is priced two or three times (cost header, spend row, metrics) and a gateway sees few
    // model names, so answers are kept: the table never changes. Bounded, since clients choose the names.
    private readonly ConcurrentDictionary<(string Provider, string Model), PriceLookup> _remembered = new(ProviderModelComparer.Instance);
    private int _rememberedCount;

    private PriceTable(
        FrozenDictionary<(string Provider, string Model), ModelPrice> builtIn,
        FrozenDictionary<(string Provider, string Model), ModelPrice> configured)
    {
        _builtIn = builtIn;
        _configured = configured;
    }

    /// <summary>The built-in prices only (read once from the embedded data on first use).</summary>
    public static PriceTable BuiltIn => BuiltInTable.Value;

    /// <summary>How many (provider, model) entries the built-in data lists.</summary>
    public int BuiltInCount => _builtIn.Count;

    /// <summary>
    /// A table with <paramref name="overrides"/> (the config's <c>model_prices</c>, keyed by model name)
    /// replacing or adding entries. A key may carry a provider prefix as LiteLLM's data does
    /// (<c>gemini/gemini-2.5-pro</c>): it then applies to that provider only, unless the entry names one itself.
    /// </summary>
    public PriceTable WithOverrides(IReadOnlyDictionary<string, ModelPriceOverride> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var configured = new Dictionary<(string, string), ModelPrice>(_configured, ProviderModelComparer.Instance);
        foreach (var (name, entry) in overrides)
        {
            var model = name.Trim();
            var provider = entry.Provider is null ? null : PricingProviders.Normalize(entry.Provider);
            var slash = model.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && PricingProviders.TryFromLitellm(model[..slash], out var prefixProvider)
                && (provider is null || provider == prefixProvider))
            {
                provider = prefixProvider;
                model = model[(slash + 1)..];
            }

            configured[(provider ?? AnyProvider, model)] = entry.Price;
        }

        return new PriceTable(_builtIn, configured.ToFrozenDictionary(ProviderModelComparer.Instance));
    }

    /// <summary>
    /// The price of <paramref name="model"/> as <paramref name="provider"/> (a Tollgate provider name:
    /// <c>openai</c>, <c>anthropic</c>, <c>gemini</c>, <c>vertex_ai</c>, <c>bedrock</c>, <c>azure</c>,
    /// <c>cohere</c>, <c>mistral</c>, <c>vllm</c>, …) serves it; false when neither the config nor the
    /// built-in data knows it. The lookup order is in the class remarks.
    /// </summary>
    public bool TryGet(string provider, string model, [NotNullWhen(true)] out ModelPrice? price)
    {
        price = Find(provider, model).Price;
        return price is not null;
    }

    /// <summary>
    /// The name the table lists <paramref name="model"/>'s price under, in lower case (<c>gpt-4o</c> for
    /// <c>openai/GPT-4o-2099-01-01</c>); null when it has no price. A finite set whatever clients send,
    /// so fit for a metrics label.
    /// </summary>
    public string? ListedName(string provider, string model) => Find(provider, model).ListedName;

    private PriceLookup Find(string provider, string model)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(model);

        if (_remembered.TryGetValue((provider, model), out var known))
        {
            return known;
        }

        var found = Search(provider, model);
        if (Volatile.Read(ref _rememberedCount) < MaxRemembered && _remembered.TryAdd((provider, model), found))
        {
            Interlocked.Increment(ref _rememberedCount);
        }

        return found;
    }

    private PriceLookup Search(string provider, string model)
    {
        var candidates = ModelNames.Candidates(model);
        ModelPrice? price;
        if (_configured.Count > 0)
        {
            var name = PricingProviders.Normalize(provider);
            foreach (var candidate in candidates)
            {
                if (_configured.TryGetValue((name, candidate), out price) || _configured.TryGetValue((AnyProvider, candidate), out price))
                {
                    return new(price, candidate.ToLowerInvariant());
                }
            }
        }

        var order = PricingProviders.LookupOrder(provider);
        foreach (var candidate in candidates)
        {
            if (TryFind(_builtIn, order, candidate, out price))
            {
                return new(price, candidate.ToLowerInvariant());
            }
        }

        return default;
    }

    private static bool TryFind(
        FrozenDictionary<(string Provider, string Model), ModelPrice> table,
        IReadOnlyList<string> order,
        string model,
        [NotNullWhen(true)] out ModelPrice? price)
    {
        foreach (var provider in order)
        {
            if (table.TryGetValue((provider, model), out price))
            {
                return true;
            }
        }

        price = null;
        return false;
    }

    private static FrozenDictionary<(string Provider, string Model), ModelPrice> Empty() =>
        FrozenDictionary<(string Provider, string Model), ModelPrice>.Empty;

    private readonly record struct PriceLookup(ModelPrice? Price, string? ListedName);
}
