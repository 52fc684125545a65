using System.Diagnostics.CodeAnalysis;

namespace Tollgate.Metering.Pricing;

/// <summary>Provider names as the price table uses them, and which tables a provider's calls are priced from.</summary>
internal static class PricingProviders
{
    private static readonly string[] OpenAiFallback = ["azure", "openai"];
    private static readonly string[] GeminiFallback = ["vertex_ai", "gemini"];

    /// <summary>
    /// The built-in tables to look in, in order (a configured price applies to the provider it names only). Azure OpenAI serves OpenAI's models (the deployment reports the
    /// model it runs, e.g. <c>gpt-4o-2024-08-06</c>), so Azure falls back to the OpenAI prices; Vertex AI
    /// falls back to the Gemini API prices for a Gemini model LiteLLM lists no Vertex price for. Every other
    /// provider (vLLM, AssemblyAI, custom endpoints) has only what the config's <c>model_prices</c> gives it.
    /// </summary>
    public static IReadOnlyList<string> LookupOrder(string provider)
    {
        var name = Normalize(provider);
        return name switch
        {
            "azure" => OpenAiFallback,
            "vertex_ai" => GeminiFallback,
            _ => [name],
        };
    }

    /// <summary>Lower case; <c>vertex-ai</c> (the route alias) is <c>vertex_ai</c>.</summary>
    public static string Normalize(string provider)
    {
        var name = provider.Trim().ToLowerInvariant();
        return name == "vertex-ai" ? "vertex_ai" : name;
    }

    /// <summary>
    /// Maps a LiteLLM <c>litellm_provider</c> value (<c>bedrock_converse</c>,
    /// <c>vertex_ai-anthropic_models</c>, <c>cohere_chat</c>, <c>text-completion-openai</c>, …) or a
    /// Tollgate provider name to the Tollgate provider; false for a provider Tollgate has no route for.
    /// </summary>
    public static bool TryFromLitellm(string litellmProvider, [NotNullWhen(true)] out string? provider)
    {
        var name = Normalize(litellmProvider);
        provider = name switch
        {
            "openai" or "text-completion-openai" => "openai",
            "anthropic" => "anthropic",
            "gemini" => "gemini",
            "azure" or "azure_text" => "azure",
            "mistral" or "codestral" or "text-completion-codestral" => "mistral",
            "vllm" or "hosted_vllm" => "vllm",
            "assemblyai" => "assemblyai",
            _ when name.StartsWith("vertex_ai", StringComparison.Ordinal) => "vertex_ai",
            _ when name.StartsWith("bedrock", StringComparison.Ordinal) => "bedrock",
            _ when name.StartsWith("cohere", StringComparison.Ordinal) => "cohere",
            _ => null,
        };
        return provider is not null;
    }
}
