using Microsoft.Data.Sqlite;
using Npgsql;

namespace Tollgate.Storage;

/// <summary>Reads <c>database_url</c>: <c>postgresql://user:pass@host:port/db?sslmode=…</c>, <c>sqlite:PATH</c>, or nothing for <c>./tollgate.db</c>.</summary>
internal sealed record DatabaseLocation(DatabaseKind Kind, string ConnectionString, string Description)
{
    public const string DefaultSqliteFile = "tollgate.db";

    /// <returns>Null with <paramref name="problem"/> set when the URL cannot be used.</returns>
    public static DatabaseLocation? Parse(string? url, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            return Sqlite(Path.GetFullPath(DefaultSqliteFile));
        }

        if (url.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            // sqlite:relative.db, sqlite:/abs/path.db and sqlite:///abs/path.db all name a file.
            var path = url["sqlite:".Length..];
            path = path.StartsWith("///", StringComparison.Ordinal) ? path[2..] : path.StartsWith("//", StringComparison.Ordinal) ? path[2..] : path;
            if (path.Length == 0)
            {
                problem = "a sqlite: URL needs a file path (sqlite:/var/lib/tollgate/tollgate.db)";
                return null;
            }

            return Sqlite(Path.GetFullPath(path));
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
        {
            problem = "must be postgresql://user:password@host:port/database or sqlite:PATH";
            return null;
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (uri.Host.Length == 0 || database.Length == 0)
        {
            problem = "a postgresql:// URL needs a host and a database name";
            return null;
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = database,
        };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[name switch { "sslmode" => "SSL Mode", "connect_timeout" => "Timeout", "application_name" => "Application Name", _ => name }] = value;
            }
            catch (ArgumentException)
            {
                problem = $"the query option '{name}' is not a Postgres connection setting";
                return null;
            }
        }

        return new DatabaseLocation(DatabaseKind.Postgres, builder.ConnectionString, $"postgres {uri.Host}:{builder.Port}/{database}");
    }

    private static DatabaseLocation Sqlite(string path) =>
        new(DatabaseKind.Sqlite, new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ConnectionString, "sqlite " + path);
}
