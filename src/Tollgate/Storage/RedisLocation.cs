using StackExchange.Redis;

namespace Tollgate.Storage;

/// <summary>Reads <c>redis_url</c>: <c>redis://[user:password@]host[:port][/db]</c>, or <c>rediss://</c> for TLS.</summary>
internal static class RedisLocation
{
    /// <returns>Null with <paramref name="problem"/> set when the URL cannot be used.</returns>
    public static ConfigurationOptions? Parse(string url, out string? problem)
    {
        problem = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
        {
            problem = "must be redis://[user:password@]host[:port][/db] (or rediss:// for TLS)";
            return null;
        }

        var options = new ConfigurationOptions
        {
            Ssl = uri.Scheme == "rediss",
            // Start even when Redis is down; limits fall back to this instance until it answers.
            AbortOnConnectFail = false,
            ConnectTimeout = 2000,
            AsyncTimeout = 500,
            SyncTimeout = 500,
            ClientName = "tollgate",
        };
        options.EndPoints.Add(uri.Host, uri.Port > 0 ? uri.Port : 6379);
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? "" : uri.UserInfo[..colon]);
            options.User = user.Length > 0 ? user : null;
            options.Password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var database))
            {
                problem = $"the path '/{path}' must be a database number";
                return null;
            }

            options.DefaultDatabase = database;
        }

        return options;
    }
}
