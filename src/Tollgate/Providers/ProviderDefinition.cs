namespace Tollgate.Providers;

/// <summary>What Tollgate knows about a built-in API-key provider before any config is read.</summary>
/// <param name="Name">The name used in <c>pass_through_providers</c> and in logs.</param>
/// <param name="RoutePrefixes">First path segments that reach this provider (<c>/openai/…</c>).</param>
/// <param name="DefaultApiBase">Used when neither config nor environment names one; null when the provider has no public host.</param>
/// <param name="Credential">Where the real key goes on the upstream request.</param>
/// <param name="EnvironmentPrefix">LiteLLM's variable prefix: <c>{prefix}_API_KEY</c>, <c>{prefix}_API_BASE</c>.</param>
/// <param name="ApiKeyRequired">False for self-hosted servers that may run without a key.</param>
/// <param name="AnswersNameNoModel">The provider's answers do not name the model, so pricing reads it from the request.</param>
internal sealed record ProviderDefinition(
    string Name,
    string[] RoutePrefixes,
    string? DefaultApiBase,
    CredentialStyle Credential,
    string EnvironmentPrefix,
    bool ApiKeyRequired = true,
    bool AnswersNameNoModel = false)
{
    public string ApiKeyVariable => EnvironmentPrefix + "_API_KEY";

    public string ApiBaseVariable => EnvironmentPrefix + "_API_BASE";
}
