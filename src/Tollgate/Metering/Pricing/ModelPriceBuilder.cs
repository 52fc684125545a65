using System.Globalization;

namespace Tollgate.Metering.Pricing;

/// <summary>
/// Builds a <see cref="ModelPrice"/> from LiteLLM's price field names, so the built-in table and the
/// config's <c>model_prices</c> read the same keys: <c>input_cost_per_token</c>,
/// <c>output_cost_per_token</c>, <c>cache_read_input_token_cost</c>, <c>cache_creation_input_token_cost</c>,
/// <c>cache_creation_input_token_cost_above_1hr</c>, <c>input_cost_per_query</c> (per call), and any of the
/// first five with an <c>_above_&lt;N&gt;k_tokens</c> suffix (a tier above N thousand input tokens).
/// </summary>
internal sealed class ModelPriceBuilder
{
    private const string TierSuffixStart = "_above_";
    private const string TierSuffixEnd = "k_tokens";

    private readonly SortedDictionary<long, TierFields> _tiers = [];
    private TierFields _base;
    private decimal? _costPerRequest;

    /// <summary>Every field name <see cref="TrySet"/> accepts without a tier suffix.</summary>
    public static readonly IReadOnlyList<string> FieldNames =
    [
        "input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
        "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr", "input_cost_per_query",
    ];

    /// <summary>Whether <see cref="TrySet"/> accepts <paramref name="field"/>.</summary>
    public static bool IsKnownField(string field)
    {
        if (FieldNames.Contains(field))
        {
            return true;
        }

        TierFields probe = default;
        return TrySplitTier(field, out var baseField, out _) && TrySetField(ref probe, baseField, 0m);
    }

    /// <summary>True once any price was set.</summary>
    public bool HasAnyPrice { get; private set; }

    /// <summary>Sets the price a field names; false (and nothing set) for a field this builder does not know.</summary>
    public bool TrySet(string field, decimal value)
    {
        if (field == "input_cost_per_query")
        {
            _costPerRequest = value;
            HasAnyPrice = true;
            return true;
        }

        if (TrySetField(ref _base, field, value))
        {
            HasAnyPrice = true;
            return true;
        }

        if (!TrySplitTier(field, out var baseField, out var threshold))
        {
            return false;
        }

        var tier = _tiers.GetValueOrDefault(threshold);
        if (!TrySetField(ref tier, baseField, value))
        {
            return false;
        }

        _tiers[threshold] = tier;
        HasAnyPrice = true;
        return true;
    }

    public ModelPrice Build() => new()
    {
        InputCostPerToken = _base.Input ?? 0m,
        OutputCostPerToken = _base.Output ?? 0m,
        CacheReadInputTokenCost = _base.CacheRead,
        CacheCreationInputTokenCost = _base.CacheCreation,
        CacheCreation1hInputTokenCost = _base.CacheCreation1h,
        CostPerRequest = _costPerRequest,
        Tiers = _tiers.Select(t => new PriceTier
        {
            AboveInputTokens = t.Key,
            InputCostPerToken = t.Value.Input,
            OutputCostPerToken = t.Value.Output,
            CacheReadInputTokenCost = t.Value.CacheRead,
            CacheCreationInputTokenCost = t.Value.CacheCreation,
            CacheCreation1hInputTokenCost = t.Value.CacheCreation1h,
        }).ToList(),
    };

    private static bool TrySetField(ref TierFields fields, string field, decimal value)
    {
        switch (field)
        {
            case "input_cost_per_token":
                fields.Input = value;
                return true;
            case "output_cost_per_token":
                fields.Output = value;
                return true;
            case "cache_read_input_token_cost":
                fields.CacheRead = value;
                return true;
            case "cache_creation_input_token_cost":
                fields.CacheCreation = value;
                return true;
            case "cache_creation_input_token_cost_above_1hr":
                fields.CacheCreation1h = value;
                return true;
            default:
                return false;
        }
    }

    /// <summary>"output_cost_per_token_above_200k_tokens" → ("output_cost_per_token", 200000).</summary>
    private static bool TrySplitTier(string field, out string baseField, out long threshold)
    {
        baseField = "";
        threshold = 0;
        if (!field.EndsWith(TierSuffixEnd, StringComparison.Ordinal))
        {
            return false;
        }

        var start = field.LastIndexOf(TierSuffixStart, StringComparison.Ordinal);
        if (start <= 0)
        {
            return false;
        }

        var digits = field.AsSpan(start + TierSuffixStart.Length, field.Length - start - TierSuffixStart.Length - TierSuffixEnd.Length);
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9')
            || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var thousands)
            || thousands > long.MaxValue / 1000)
        {
            return false;
        }

        baseField = field[..start];
        threshold = thousands * 1000;
        return true;
    }

    private struct TierFields
    {
        public decimal? Input;
        public decimal? Output;
        public decimal? CacheRead;
        public decimal? CacheCreation;
        public decimal? CacheCreation1h;
    }
}

