namespace Tollgate.Providers.Bedrock;

/// <summary>Which Bedrock endpoint serves a path: the runtime (models) or the agent runtime.</summary>
internal static class BedrockPaths
{
    /// <summary>First path segments of the Bedrock Agent Runtime API.</summary>
    private static readonly string[] AgentRuntimeSegments =
        ["agents", "knowledgebases", "flows", "retrieveAndGenerate", "retrieveAndGenerateStream", "rerank", "generateQuery", "optimize-prompt", "sessions"];

    public static bool IsAgentRuntime(ReadOnlySpan<char> tail)
    {
        var path = tail.TrimStart('/');
        var slash = path.IndexOf('/');
        var first = slash < 0 ? path : path[..slash];
        foreach (var segment in AgentRuntimeSegments)
        {
            if (first.SequenceEqual(segment))
            {
                return true;
            }
        }

        return false;
    }
}
