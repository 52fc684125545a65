using Tollgate.Calls;
using Tollgate.Metering.Pricing;

namespace Tollgate.Metering.Costs;

/// <summary>
/// Prices a call: for its spend-log row, and for what the client is told it cost
/// (<c>x-litellm-response-cost</c> on non-streamed answers and, when configured, <c>usage.cost</c> in
/// streams; contract section 6). Both use the same rules, so the client sees the spend row's number.
/// </summary>
internal sealed class CallPricing(PriceTable prices, bool injectIntoStreams)
{
    /// <summary>The header that tells a non-streamed answer's cost in US dollars.</summary>
    public const string ResponseCostHeader = "x-litellm-response-cost";

    /// <summary><c>litellm_settings.include_cost_in_streaming_usage</c>: streamed usage events gain a <c>cost</c>. Default false.</summary>
    public bool InjectIntoStreams { get; } = injectIntoStreams;

    /// <summary>
    /// The spend row's cost, in US dollars. Tokens are paid for whenever they were used, even on a
    /// stream that broke; a custom endpoint's <c>cost_per_request</c> only for a call that succeeded.
    /// A model without a price costs nothing beyond that.
    /// </summary>
    public decimal Cost(PassThroughCall call, string? model, TokenUsage? usage, bool succeeded)
    {
        ArgumentNullException.ThrowIfNull(call);
        ModelPrice? price = null;
        if (IsBillable(usage) && model is not null)
        {
            prices.TryGet(call.Provider, model, out price);
        }

        return Cost(call, usage, succeeded, price);
    }

    /// <summary>
    /// What the successful call costs so far, as the spend row will have it, when that is known: the
    /// provider reported its usage and the model has a price, or the route has a <c>cost_per_request</c>.
    /// Null otherwise (nothing is reported to the client then).
    /// </summary>
    public decimal? ReportedCost(PassThroughCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var meter = call.Meter;
        var usage = meter?.Usage;
        var model = meter?.Model ?? call.RequestModel;
        ModelPrice? price = null;
        var tokensPriced = usage is { Reported: true } && model is not null && prices.TryGet(call.Provider, model, out price);
        if (!tokensPriced && call.Route.CostPerRequest is null)
        {
            return null;
        }

        return Cost(call, usage, succeeded: true, price);
    }

    private static decimal Cost(PassThroughCall call, TokenUsage? usage, bool succeeded, ModelPrice? price)
    {
        var cost = succeeded ? call.Route.CostPerRequest ?? 0 : 0;
        if (IsBillable(usage) && price is not null)
        {
            cost += CostCalculator.Cost(price, usage);
        }

        return cost;
    }

    /// <summary>Tokens, or a rerank's search units: something a model price charges for.</summary>
    private static bool IsBillable([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] TokenUsage? usage) => usage is { TotalTokens: > 0 } or { SearchUnits: > 0 };
}
