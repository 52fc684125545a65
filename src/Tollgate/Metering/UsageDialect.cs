namespace Tollgate.Metering;

/// <summary>
/// How a route's answers report usage: which paths carry it and which reader parses them. Every
/// provider names one (<see cref="Providers.ProviderDefinition.Dialect"/>); <see cref="ResponseMeters"/>
/// handles each, so a new member is a build error until it does.
/// </summary>
internal enum UsageDialect
{
    /// <summary>OpenAI shapes on chat/text completions, embeddings, <c>responses</c>, transcriptions and images (OpenAI, Mistral, vLLM).</summary>
    OpenAi,

    /// <summary>OpenAI shapes, the model named by the path's <c>deployments/{d}</c> (Azure OpenAI).</summary>
    AzureOpenAi,

    /// <summary><c>…/messages</c>, and the OpenAI-compatible endpoints.</summary>
    Anthropic,

    /// <summary><c>:generateContent</c> and <c>:streamGenerateContent</c>; <c>rawPredict</c> by publisher (Gemini API, Vertex AI).</summary>
    Google,

    /// <summary><c>model/{id}/converse…</c> and <c>model/{id}/invoke…</c>; the agent runtime reports no tokens.</summary>
    Bedrock,

    /// <summary><c>chat</c>, <c>embed</c>, <c>rerank</c>, <c>generate</c>, <c>summarize</c>, <c>classify</c> (v1 and v2).</summary>
    Cohere,

    /// <summary>LeMUR (<c>/lemur/…</c>); transcripts are billed by audio duration, not tokens.</summary>
    AssemblyAi,

    /// <summary>A custom endpoint: OpenAI shapes whatever the path, when the body is JSON or SSE.</summary>
    CustomEndpoint,
}
