namespace Tollgate.Providers;

/// <summary>How the price table knows a provider, besides by its own name.</summary>
/// <param name="LitellmAliases">Other <c>litellm_provider</c> values that mean this provider (<c>azure_text</c>).</param>
/// <param name="LitellmVariants">Every <c>litellm_provider</c> that starts with the provider's name means it too (<c>bedrock_converse</c>, <c>vertex_ai-anthropic_models</c>).</param>
/// <param name="FallsBackTo">A provider whose built-in prices apply to a model this one has none for (Azure serves OpenAI's models).</param>
internal sealed record PricingNames(IReadOnlyList<string> LitellmAliases, bool LitellmVariants = false, ProviderId? FallsBackTo = null)
{
    /// <summary>Known by its own name only.</summary>
    public static readonly PricingNames OwnName = new([]);
}
