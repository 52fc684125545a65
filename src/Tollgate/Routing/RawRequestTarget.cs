namespace Tollgate.Routing;

/// <summary>The client's request target as sent, split into the route's tail and the query.</summary>
/// <param name="Value">The raw origin-form target, e.g. <c>/openai/v1/models?limit=2</c>.</param>
/// <param name="TailStart">Where the part after the route prefix begins.</param>
/// <param name="PathEnd">Where the path ends ('?' or the end).</param>
internal readonly record struct RawRequestTarget(string Value, int TailStart, int PathEnd)
{
    /// <summary>Still percent-encoded; empty or starting with '/'.</summary>
    public ReadOnlySpan<char> Tail => Value.AsSpan(TailStart, PathEnd - TailStart);

    /// <summary>Without '?'.</summary>
    public ReadOnlySpan<char> Query => PathEnd < Value.Length ? Value.AsSpan(PathEnd + 1) : default;
}
