namespace Tollgate.Providers;

/// <summary>
/// The built-in providers, in the contract's order (section 3). Adding a member is a provider's one
/// registration: the compiler then asks for its line in <see cref="ProviderRegistry"/>.
/// </summary>
internal enum ProviderId
{
    OpenAi,
    Anthropic,
    Gemini,
    VertexAi,
    Bedrock,
    Azure,
    Cohere,
    Mistral,
    AssemblyAi,
    Vllm,
}
