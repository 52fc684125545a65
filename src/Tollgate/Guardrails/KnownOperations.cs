namespace Tollgate.Guardrails;

/// <summary>
/// The provider operations whose requests' text fields <see cref="RequestTextPaths"/> covers, by the end of the
/// path after the route's prefix (as canonical, <see cref="Routing.CanonicalTarget"/>). A call with a body to any
/// other operation on a guarded provider route cannot be examined and follows the guardrails'
/// <see cref="GuardrailUnknownShape"/>; custom endpoints examine every string, and forms every text part, so
/// they need no list.
/// </summary>
internal static class KnownOperations
{
    private static readonly string[] PathEndings =
    [
        // OpenAI and its shapes (Azure deployments, Mistral, vLLM, the others' OpenAI-compatible endpoints).
        "/chat/completions",
        "/completions",
        "/responses",
        "/embeddings",
        "/moderations",
        "/audio/speech",
        "/images/generations",
        "/threads",
        "/threads/runs",
        "/conversations",
        "/assistants",

        // Bodies that name files and settings but hold no text a model reads (the files were examined on upload).
        "/batches",
        "/fine_tuning/jobs",
        "/vector_stores",

        // Anthropic.
        "/v1/messages",
        "/v1/messages/count_tokens",
        "/v1/messages/batches",
        "/v1/complete",

        // Cohere.
        "/v1/chat",
        "/v2/chat",
        "/v1/rerank",
        "/v2/rerank",
        "/v1/embed",
        "/v2/embed",
        "/v1/generate",

        // Bedrock runtime.
        "/converse",
        "/converse-stream",
        "/invoke",
        "/invoke-with-response-stream",
        "/async-invoke",
    ];

    /// <summary>Gemini and Vertex AI methods, after the model's name.</summary>
    private static readonly string[] GoogleMethods =
    [
        ":generateContent", ":streamGenerateContent", ":countTokens", ":embedContent", ":batchEmbedContents",
        ":batchGenerateContent", ":predict", ":rawPredict", ":streamRawPredict",
    ];

    /// <summary>Assistants items with a thread or conversation id in the path.</summary>
    private static readonly (string Collection, string Ending)[] ItemsOf =
    [
        ("/threads/", "/messages"),
        ("/threads/", "/runs"),
        ("/conversations/", "/items"),
    ];

    /// <param name="path">The path after the route's prefix, without the query.</param>
    public static bool Contains(ReadOnlySpan<char> path)
    {
        foreach (var ending in PathEndings)
        {
            if (path.EndsWith(ending, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var method in GoogleMethods)
        {
            if (path.EndsWith(method, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var (collection, ending) in ItemsOf)
        {
            var at = path.IndexOf(collection, StringComparison.Ordinal);
            if (at >= 0 && path.EndsWith(ending, StringComparison.Ordinal)
                && path[(at + collection.Length)..^ending.Length].IndexOf('/') < 0)
            {
                return true;
            }
        }

        return false;
    }
}
