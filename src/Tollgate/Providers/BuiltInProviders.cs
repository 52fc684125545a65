using System.Collections.Frozen;

namespace Tollgate.Providers;

/// <summary>The provider routes Tollgate serves out of the box (contract section 3).</summary>
internal static class BuiltInProviders
{
    public static readonly IReadOnlyList<ProviderDefinition> ApiKeyProviders =
    [
        new("openai", ["openai"], "https://api.openai.com", CredentialStyle.BearerToken, "OPENAI"),
        new("anthropic", ["anthropic"], "https://api.anthropic.com", CredentialStyle.XApiKeyHeader, "ANTHROPIC"),
        new("gemini", ["gemini"], "https://generativelanguage.googleapis.com", CredentialStyle.QueryKey, "GEMINI"),
        new("azure", ["azure"], null, CredentialStyle.ApiKeyHeader, "AZURE"),
        // Cohere's chat, embed and rerank answers do not say which model served them.
        new("cohere", ["cohere"], "https://api.cohere.com", CredentialStyle.BearerToken, "COHERE", AnswersNameNoModel: true),
        new("mistral", ["mistral"], "https://api.mistral.ai", CredentialStyle.BearerToken, "MISTRAL"),
        new("assemblyai", ["assemblyai"], "https://api.assemblyai.com", CredentialStyle.RawAuthorization, "ASSEMBLYAI"),
        new("vllm", ["vllm"], null, CredentialStyle.BearerToken, "VLLM", ApiKeyRequired: false),
    ];

    /// <summary>Every provider name <c>pass_through_providers</c> accepts.</summary>
    public static readonly FrozenSet<string> KnownNames =
        ApiKeyProviders.Select(p => p.Name).Concat(["vertex_ai", "bedrock"]).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>First path segments a custom endpoint may not claim: provider routes and the gateway's own.</summary>
    public static readonly FrozenSet<string> ReservedSegments =
        ApiKeyProviders.SelectMany(p => p.RoutePrefixes)
            .Concat(["vertex_ai", "vertex-ai", "bedrock", "key", "spend", "health", "metrics"])
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
}
