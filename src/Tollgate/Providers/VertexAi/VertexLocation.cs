namespace Tollgate.Providers.VertexAi;

/// <summary>Vertex AI location names and the hosts they map to (contract section 2).</summary>
internal static class VertexLocation
{
    /// <summary><c>^[a-z][a-z0-9-]*$</c>, at most a DNS label long: anything else must never reach a host name.</summary>
    public static bool IsValid(ReadOnlySpan<char> location)
    {
        if (location.IsEmpty || location.Length > 63 || !char.IsAsciiLetterLower(location[0]))
        {
            return false;
        }

        foreach (var c in location)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

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
