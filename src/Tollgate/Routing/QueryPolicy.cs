namespace Tollgate.Routing;

/// <summary>How the upstream query string is made from the client's and the config's.</summary>
internal sealed record QueryPolicy
{
    public static readonly QueryPolicy PassThrough = new();

    /// <summary><c>name=value</c> appended to every request (the Gemini key), already escaped.</summary>
    public string? AppendedParameter { get; init; }

    /// <summary>Custom endpoints: client values replace the target's same-named ones (<c>merge_query_params</c>).</summary>
    public bool ClientOverridesTarget { get; init; }

    /// <summary>Custom endpoints: added when neither target nor client names them (<c>default_query_params</c>).</summary>
    public IReadOnlyDictionary<string, string> Defaults { get; init; } = new Dictionary<string, string>();
}
