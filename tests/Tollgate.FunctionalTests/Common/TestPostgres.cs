using Npgsql;

namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// The Postgres server the store tests run against: <c>TOLLGATE_TEST_POSTGRES</c>
/// (<c>postgresql://user@127.0.0.1:port/postgres</c>), which <c>.ci/run</c> starts and sets. Each test
/// gets a database of its own. Without the variable the tests skip, except in CI, where they fail.
/// </summary>
public static class TestPostgres
{
    public const string VariableName = "TOLLGATE_TEST_POSTGRES";

    public static string? ServerUrl => Environment.GetEnvironmentVariable(VariableName) is { Length: > 0 } url ? url : null;

    /// <summary>Skips the test when no server is configured outside CI; fails it in CI.</summary>
    public static void RequireServer() =>
        TestServers.Require(ServerUrl, VariableName, "postgresql://user@127.0.0.1:5432/postgres", "Postgres");

    /// <summary>Creates an empty database and returns its <c>postgresql://</c> URL.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = new Uri(ServerUrl!);
        var name = "tollgate_test_" + Guid.NewGuid().ToString("N");
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = server.Host,
            Port = server.Port > 0 ? server.Port : 5432,
            Database = server.AbsolutePath.Trim('/') is { Length: > 0 } database ? database : "postgres",
            Username = Uri.UnescapeDataString(server.UserInfo.Split(':')[0]),
        };
        if (server.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            builder.Password = Uri.UnescapeDataString(server.UserInfo[(server.UserInfo.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        }

        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync();
        return new UriBuilder(server) { Path = "/" + name }.Uri.ToString();
    }
}
