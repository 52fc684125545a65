namespace Tollgate.Routing;

/// <summary>The client's request target as sent, split into the route's tail and the query.</summary>
/// <param name="Value">The raw origin-form target, e.g. <c>/openai/v1/models?limit=2</c>.</param>
/// <param name="TailStart">Where the part after the route prefix begins (0 until a route matched).</param>
/// <param name="PathEnd">Where the path ends ('?' or the end).</param>
internal readonly record struct RawRequestTarget(string Value, int TailStart, int PathEnd)
{
    /// <summary>Splits a target at its query; its tail is set once a route matches (<see cref="WithTail"/>).</summary>
    public static RawRequestTarget Of(string value)
    {
        var queryStart = value.IndexOf('?');
        return new(value, 0, queryStart < 0 ? value.Length : queryStart);
    }

    public RawRequestTarget WithTail(int tailStart) => this with { TailStart = tailStart };

    /// <summary>Still percent-encoded, without the query.</summary>
    public ReadOnlySpan<char> Path => Value.AsSpan(0, PathEnd);

    /// <summary>Still percent-encoded; empty or starting with '/'.</summary>
    public ReadOnlySpan<char> Tail => Value.AsSpan(TailStart, PathEnd - TailStart);

    /// <summary>Without '?'.</summary>
    public ReadOnlySpan<char> Query => PathEnd < Value.Length ? Value.AsSpan(PathEnd + 1) : default;
}
