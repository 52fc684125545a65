using Tollgate.Metering;

namespace Tollgate.Providers.VertexAi;

/// <summary><c>/vertex_ai</c> (and LiteLLM's <c>/vertex-ai</c>): Vertex AI, with OAuth tokens from service accounts.</summary>
internal static class VertexAiProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.VertexAi,
        Name = "vertex_ai",
        RoutePrefixes = ["vertex_ai", "vertex-ai"],
        Upstream = new VertexAiUpstream(),
        Dialect = UsageDialect.Google,

        // For a Gemini model LiteLLM lists no Vertex price for, the Gemini API's applies.
        Pricing = new([], LitellmVariants: true, FallsBackTo: ProviderId.Gemini),
    };
}
