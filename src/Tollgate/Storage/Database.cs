using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Tollgate.Storage;

internal enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The store that holds keys (and spend): SQLite embedded by default, Postgres for scale-out. Both are
/// reached through ADO.NET with <c>@name</c> parameters, so repositories write their SQL once and ask
/// <see cref="Kind"/> only where the dialects differ.
/// </summary>
internal sealed class Database : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqliteConnectionString;

    private Database(DatabaseKind kind, string description, NpgsqlDataSource? postgres, string? sqliteConnectionString)
    {
        Kind = kind;
        Description = description;
        _postgres = postgres;
        _sqliteConnectionString = sqliteConnectionString;
    }

    public DatabaseKind Kind { get; }

    /// <summary>Where the data lives, for logs: a file path or host/database, never a password.</summary>
    public string Description { get; }

    public static Database Open(DatabaseLocation location) => location.Kind switch
    {
        DatabaseKind.Postgres => new Database(DatabaseKind.Postgres, location.Description, NpgsqlDataSource.Create(location.ConnectionString), null),
        _ => new Database(DatabaseKind.Sqlite, location.Description, null, location.ConnectionString),
    };

    public async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_sqliteConnectionString);
        await connection.OpenAsync(cancellationToken);

        // Under WAL (set by the migrations), NORMAL syncs at checkpoints rather than at every commit: a
        // committed write survives a crash of the gateway, only an OS crash or power cut can lose the last
        // ones, and a spend batch costs several times less than with FULL. The setting is per connection.
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>A unique index refused the row (SQLite constraint error, Postgres 23505).</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;
}
