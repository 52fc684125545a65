namespace Tollgate.Routing;

/// <summary>The fixed part of an upstream URL: origin (scheme, host, port) and base path.</summary>
internal sealed class UpstreamTarget
{
    public UpstreamTarget(Uri baseUri)
    {
        Origin = baseUri.GetLeftPart(UriPartial.Authority);
        BasePath = baseUri.AbsolutePath.TrimEnd('/');
        Scheme = baseUri.Scheme;
        Host = baseUri.IdnHost;
        Port = baseUri.Port;
        Query = baseUri.Query.Length > 1 ? baseUri.Query[1..] : "";
    }

    /// <summary><c>https://api.openai.com</c> — no trailing slash.</summary>
    public string Origin { get; }

    /// <summary>Escaped, no trailing slash; empty for the root.</summary>
    public string BasePath { get; }

    public string Scheme { get; }

    public string Host { get; }

    public int Port { get; }

    /// <summary>The target's own query (custom endpoints), without '?'.</summary>
    public string Query { get; }

    public bool IsSameOrigin(Uri uri) =>
        uri.Scheme == Scheme && uri.Port == Port && string.Equals(uri.IdnHost, Host, StringComparison.OrdinalIgnoreCase);
}
