using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Tollgate.Providers;

namespace Tollgate.Metering.Pricing;

/// <summary>
/// Provider names as the price table uses them, and which tables a provider's calls are priced from,
/// as the providers' <see cref="PricingNames"/> say.
/// </summary>
internal static class PricingProviders
{
    /// <summary>Every route prefix (<c>vertex-ai</c>) to its provider's name.</summary>
    private static readonly FrozenDictionary<string, string> ByRoutePrefix = ProviderRegistry.All
        .SelectMany(p => p.RoutePrefixes.Select(prefix => KeyValuePair.Create(prefix, p.Name)))
        .ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string[]> LookupOrders = ProviderRegistry.All.ToFrozenDictionary(
        p => p.Name,
        p => p.Pricing.FallsBackTo is { } fallback ? new[] { p.Name, ProviderRegistry.Get(fallback).Name } : [p.Name],
        StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> ByLitellmName = ProviderRegistry.All
        .SelectMany(p => p.Pricing.LitellmAliases.Prepend(p.Name).Select(alias => KeyValuePair.Create(alias, p.Name)))
        .ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly string[] LitellmVariantPrefixes = [.. ProviderRegistry.All.Where(p => p.Pricing.LitellmVariants).Select(p => p.Name)];

    /// <summary>
    /// The built-in tables to look in, in order (a configured price applies to the provider it names only):
    /// the provider's own, then the one it <see cref="PricingNames.FallsBackTo"/>. Every other name (a
    /// custom endpoint) has only what the config's <c>model_prices</c> gives it.
    /// </summary>
    public static IReadOnlyList<string> LookupOrder(string provider)
    {
        var name = Normalize(provider);
        return LookupOrders.TryGetValue(name, out var order) ? order : [name];
    }

    /// <summary>Lower case; a route prefix (<c>vertex-ai</c>) is its provider's name (<c>vertex_ai</c>).</summary>
    public static string Normalize(string provider)
    {
        var name = provider.Trim().ToLowerInvariant();
        return ByRoutePrefix.GetValueOrDefault(name, name);
    }

    /// <summary>
    /// Maps a LiteLLM <c>litellm_provider</c> value (<c>bedrock_converse</c>,
    /// <c>vertex_ai-anthropic_models</c>, <c>cohere_chat</c>, <c>text-completion-openai</c>, …) or a
    /// Tollgate provider name to the Tollgate provider; false for a provider Tollgate has no route for.
    /// </summary>
    public static bool TryFromLitellm(string litellmProvider, [NotNullWhen(true)] out string? provider)
    {
        var name = Normalize(litellmProvider);
        provider = ByLitellmName.GetValueOrDefault(name)
            ?? Array.Find(LitellmVariantPrefixes, prefix => name.StartsWith(prefix, StringComparison.Ordinal));
        return provider is not null;
    }
}
