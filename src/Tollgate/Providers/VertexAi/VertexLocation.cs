namespace Tollgate.Providers.VertexAi;

/// <summary>Vertex AI location names and the hosts they map to (contract section 2).</summary>
internal static class VertexLocation
{
    /// <summary>The upstream base for a (valid) location: the configured template, else Google's hosts.</summary>
    public static string BaseUrl(string location, string? apiBaseTemplate)
    {
        if (apiBaseTemplate is not null)
        {
            return apiBaseTemplate.Replace("{location}", location, StringComparison.Ordinal);
        }

        if (location == "global")
        {
            return "https://aiplatform.googleapis.com";
        }

        // Multi-regions ("us", "eu") have no dash and use the regional-endpoint ("rep") hosts.
        return location.Contains('-')
            ? $"https://{location}-aiplatform.googleapis.com"
            : $"https://aiplatform.{location}.rep.googleapis.com";
    }
}
