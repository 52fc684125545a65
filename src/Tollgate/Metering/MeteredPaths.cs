namespace Tollgate.Metering;

/// <summary>Reads what a provider's path says about the call: the model it names and the operation.</summary>
internal static class MeteredPaths
{
    private static readonly string[] OpenAiUsageSuffixes =
    [
        "/chat/completions",
        "/completions",
        "/embeddings",
        "/responses",
        "/audio/transcriptions",
        "/audio/translations",
        "/images/generations",
        "/images/edits",
    ];

    /// <summary>The path without its query string or a trailing slash.</summary>
    public static string WithoutQuery(string tail)
    {
        var query = tail.IndexOfAny(['?', '#']);
        var path = query < 0 ? tail : tail[..query];
        return path.Length > 1 && path.EndsWith('/') ? path[..^1] : path;
    }

    /// <summary>
    /// An OpenAI-shaped call that reports usage: chat and text completions (also Mistral FIM and
    /// agents), embeddings, the Responses API (creating one: <c>GET /responses/{id}</c> re-reads a
    /// usage already billed and does not end with <c>/responses</c>), transcriptions and images.
    /// </summary>
    public static bool IsOpenAiUsageEndpoint(string path)
    {
        foreach (var suffix in OpenAiUsageSuffixes)
        {
            if (path.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The method after the last <c>:</c> of the last segment (<c>…/models/m:generateContent</c> → <c>generateContent</c>), or empty.</summary>
    public static ReadOnlySpan<char> ColonMethod(string path)
    {
        var last = path.AsSpan(path.LastIndexOf('/') + 1);
        var colon = last.LastIndexOf(':');
        return colon < 0 ? default : last[(colon + 1)..];
    }

    /// <summary>Gemini and Vertex: <c>models/{m}:…</c> (or <c>…/models/{m}</c>), percent-decoded.</summary>
    public static string? GoogleModel(string path) => SegmentAfter(path, "/models/", stopAtColon: true);

    /// <summary>Vertex: the publisher in <c>publishers/{p}/models/…</c> (google, anthropic, meta, mistralai…), or empty.</summary>
    public static ReadOnlySpan<char> VertexPublisher(string path)
    {
        const string Marker = "/publishers/";
        var at = path.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return default;
        }

        var rest = path.AsSpan(at + Marker.Length);
        var end = rest.IndexOf('/');
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>Azure OpenAI: the deployment in <c>deployments/{d}/…</c>.</summary>
    public static string? AzureDeployment(string path) => SegmentAfter(path, "/deployments/", stopAtColon: false);

    /// <summary>
    /// Bedrock runtime <c>/model/{id}/{operation}</c>: the model ID (percent-decoded, so an ARN with
    /// <c>%3A</c> and <c>%2F</c> comes out whole; an unencoded one keeps its <c>:</c> and inner
    /// <c>/</c>, since the operation is always the last segment) and the operation. False for any
    /// other path.
    /// </summary>
    public static bool TryReadBedrockModel(string path, out string modelId, out string operation)
    {
        const string Marker = "/model/";
        modelId = operation = "";
        if (!path.StartsWith(Marker, StringComparison.Ordinal))
        {
            return false;
        }

        var lastSlash = path.LastIndexOf('/');
        if (lastSlash <= Marker.Length)
        {
            return false;
        }

        modelId = Unescape(path.AsSpan(Marker.Length, lastSlash - Marker.Length));
        operation = path[(lastSlash + 1)..];
        return modelId.Length > 0;
    }

    private static string? SegmentAfter(string path, string marker, bool stopAtColon)
    {
        var at = path.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var rest = path.AsSpan(at + marker.Length);
        var end = stopAtColon ? rest.IndexOfAny('/', ':') : rest.IndexOf('/');
        var segment = end < 0 ? rest : rest[..end];
        return segment.IsEmpty ? null : Unescape(segment);
    }

    private static string Unescape(ReadOnlySpan<char> segment) =>
        segment.Contains('%') ? Uri.UnescapeDataString(segment) : segment.ToString();
}
