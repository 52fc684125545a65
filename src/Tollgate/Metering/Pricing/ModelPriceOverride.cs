namespace Tollgate.Metering.Pricing;

/// <summary>One <c>model_prices</c> entry from the config: a price, for one provider or (null) for every provider.</summary>
internal sealed record ModelPriceOverride(string? Provider, ModelPrice Price);
