namespace Tollgate.Keys;

/// <summary>
/// Where an upstream operation takes its model from, for a key with a models list: a model may only be
/// judged where the provider is known to take it. Everything not listed here names its model somewhere
/// the gateway does not read (batches, assistants' runs, realtime sessions, tuned models, agents, async
/// invocations), so such keys may call it only when their allowed_routes name it.
/// </summary>
internal static class ModelEndpoints
{
    public enum Kind
    {
        /// <summary>The provider reads the body's top-level <c>model</c> (JSON, or a multipart form field).</summary>
        BodyModel,

        /// <summary>Reads or stores data without running a model: listing, retrieving, deleting, uploading files.</summary>
        NoModel,

        /// <summary>Runs a model the gateway cannot see.</summary>
        Unknown,
    }

    /// <summary>OpenAI-shaped operations (also Azure's v1, Mistral, vLLM, Gemini's OpenAI layer), Anthropic's and Cohere's.</summary>
    private static readonly string[] BodyModelSuffixes =
    [
        "/chat/completions", "/completions", "/embeddings", "/responses", "/responses/input_tokens",
        "/audio/transcriptions", "/audio/translations", "/audio/speech",
        "/images/generations", "/images/edits", "/images/variations", "/moderations", "/ocr",
        "/messages", "/messages/count_tokens", "/complete",
        "/chat", "/embed", "/rerank", "/generate", "/classify", "/tokenize", "/detokenize",
    ];

    /// <summary>Uploads: they store a file, and whatever later uses it is checked on its own.</summary>
    private static readonly string[] UploadSuffixes = ["/files", "/uploads"];

    /// <param name="method">The request's method.</param>
    /// <param name="path">The upstream path (base path and tail), canonical, without the query.</param>
    /// <param name="isUpgrade">A WebSocket (or other) upgrade: a session, never a plain read.</param>
    public static Kind Classify(string method, string path, bool isUpgrade)
    {
        path = path.Length > 1 && path.EndsWith('/') ? path[..^1] : path;
        if (HttpMethodIs(method, "POST") && EndsWithAny(path, BodyModelSuffixes))
        {
            return Kind.BodyModel;
        }

        if (isUpgrade)
        {
            return Kind.Unknown;
        }

        if (HttpMethodIs(method, "GET") || HttpMethodIs(method, "HEAD") || HttpMethodIs(method, "DELETE"))
        {
            return Kind.NoModel;
        }

        return HttpMethodIs(method, "POST") && EndsWithAny(path, UploadSuffixes) ? Kind.NoModel : Kind.Unknown;
    }

    private static bool HttpMethodIs(string method, string expected) => string.Equals(method, expected, StringComparison.OrdinalIgnoreCase);

    private static bool EndsWithAny(string path, string[] suffixes)
    {
        foreach (var suffix in suffixes)
        {
            if (path.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
