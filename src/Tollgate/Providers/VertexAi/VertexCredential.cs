using Tollgate.Credentials.GoogleOAuth;

namespace Tollgate.Providers.VertexAi;

/// <summary>One configured (project, location) and the service account that serves it.</summary>
/// <param name="Project">The Google Cloud project requests are billed to.</param>
/// <param name="Location">The configured location; null matches any (the default credential).</param>
/// <param name="Tokens">Mints and caches this account's access tokens.</param>
/// <param name="Setting">The config path it came from, for error messages.</param>
internal sealed record VertexCredential(string Project, string? Location, GoogleAccessTokenSource Tokens, string Setting)
{
    /// <summary>The default credential's <c>vertex_location</c>: used for the host when the path names none.</summary>
    public string? ConfiguredLocation { get; init; }

    public string Describe() => $"{Setting} (project '{Project}', {Tokens.Account})";
}
