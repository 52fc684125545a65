namespace Tollgate.Configuration;

/// <summary>Checks for the upstream URLs a config may name.</summary>
internal static class UrlRules
{
    /// <summary>An <c>api_base</c>: absolute http(s), no credentials, query or fragment; <c>{location}</c>/<c>{region}</c> allowed.</summary>
    public static void CheckBaseUrl(string? value, string where, List<string> errors)
    {
        if (value is null)
        {
            return;
        }

        var sample = value.Replace("{location}", "us-central1", StringComparison.Ordinal)
            .Replace("{region}", "us-east-1", StringComparison.Ordinal);
        if (!TryParseHttpUrl(sample, out var uri, out var problem))
        {
            errors.Add($"{where}: '{value}' {problem}");
        }
        else if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add($"{where}: '{value}' must not carry a query or fragment");
        }
    }

    /// <summary>A custom endpoint <c>target</c>: absolute http(s), no credentials or fragment (a query is kept).</summary>
    public static Uri? ParseTarget(string? value, string where, List<string> errors)
    {
        if (value is null)
        {
            errors.Add($"{where}: required");
            return null;
        }

        if (!TryParseHttpUrl(value, out var uri, out var problem))
        {
            errors.Add($"{where}: '{value}' {problem}");
            return null;
        }

        if (uri.Fragment.Length > 0)
        {
            errors.Add($"{where}: '{value}' must not carry a fragment");
            return null;
        }

        return uri;
    }

    public static bool TryParseHttpUrl(string value, out Uri uri, out string problem)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out uri!) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problem = "is not an absolute http:// or https:// URL";
            return false;
        }

        if (uri.UserInfo.Length > 0)
        {
            problem = "must not carry credentials before '@'; put them in api_key or headers";
            return false;
        }

        if (uri.Host.Length == 0)
        {
            problem = "has no host";
            return false;
        }

        problem = "";
        return true;
    }
}
