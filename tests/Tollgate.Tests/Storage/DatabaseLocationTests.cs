using Npgsql;
using Tollgate.Storage;

namespace Tollgate.Tests.Storage;

public sealed class DatabaseLocationTests
{
    [Fact]
    public void No_url_is_tollgate_db_in_the_working_directory()
    {
        var location = DatabaseLocation.Parse(null, out _)!;

        Assert.Equal(DatabaseKind.Sqlite, location.Kind);
        Assert.Contains(Path.Combine(Directory.GetCurrentDirectory(), "tollgate.db"), location.ConnectionString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite:/var/lib/tollgate/keys.db", "/var/lib/tollgate/keys.db")]
    [InlineData("sqlite:///var/lib/tollgate/keys.db", "/var/lib/tollgate/keys.db")]
    public void Sqlite_urls_name_a_file(string url, string path)
    {
        var location = DatabaseLocation.Parse(url, out _)!;

        Assert.Equal(DatabaseKind.Sqlite, location.Kind);
        Assert.Contains(path, location.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void A_postgres_url_becomes_a_connection_string_and_its_password_stays_out_of_the_description()
    {
        var location = DatabaseLocation.Parse("postgresql://tollgate:p%40ss%3Aword@db.internal:6432/gateway?sslmode=require", out _)!;
        var settings = new NpgsqlConnectionStringBuilder(location.ConnectionString);

        Assert.Equal(DatabaseKind.Postgres, location.Kind);
        Assert.Equal(("db.internal", 6432, "gateway", "tollgate", "p@ss:word", SslMode.Require),
            (settings.Host, settings.Port, settings.Database, settings.Username, settings.Password, settings.SslMode));
        Assert.DoesNotContain("p@ss", location.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql://root@localhost/db")]
    [InlineData("postgresql://localhost")]
    [InlineData("postgresql://localhost/db?no_such_option=1")]
    [InlineData("sqlite:")]
    public void Unusable_urls_are_refused_with_a_reason(string url)
    {
        Assert.Null(DatabaseLocation.Parse(url, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }
}
