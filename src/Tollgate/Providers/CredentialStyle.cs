namespace Tollgate.Providers;

/// <summary>How an API-key provider's real key is put on the upstream request (contract section 3).</summary>
internal enum CredentialStyle
{
    /// <summary><c>Authorization: Bearer &lt;key&gt;</c></summary>
    BearerToken,

    /// <summary><c>x-api-key: &lt;key&gt;</c> (Anthropic)</summary>
    XApiKeyHeader,

    /// <summary><c>api-key: &lt;key&gt;</c> (Azure OpenAI)</summary>
    ApiKeyHeader,

    /// <summary>Query parameter <c>key=&lt;key&gt;</c> (Gemini)</summary>
    QueryKey,

    /// <summary><c>Authorization: &lt;key&gt;</c> without a scheme (AssemblyAI)</summary>
    RawAuthorization,
}
