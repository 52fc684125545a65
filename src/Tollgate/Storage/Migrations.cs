using System.Data.Common;

namespace Tollgate.Storage;

/// <summary>
/// Versioned schema changes, applied in order on start for SQLite and Postgres alike. A version once
/// released never changes; a new change is a new entry. Several instances starting together are
/// serialised by a Postgres advisory lock (SQLite: the write lock of <c>BEGIN IMMEDIATE</c>).
/// </summary>
internal static class Migrations
{
    private const long PostgresLockId = 0x746f6c6c67617465; // "tollgate"

    private static readonly Migration[] All =
    [
        new(1, "virtual keys", """
            CREATE TABLE virtual_keys (
                token TEXT PRIMARY KEY,
                key_name TEXT NOT NULL,
                key_alias TEXT NULL,
                models TEXT NOT NULL,
                allowed_routes TEXT NOT NULL,
                max_budget {money} NULL,
                budget_duration TEXT NULL,
                budget_reset_at BIGINT NULL,
                spend {money} NOT NULL,
                rpm_limit BIGINT NULL,
                tpm_limit BIGINT NULL,
                max_parallel_requests BIGINT NULL,
                expires_at BIGINT NULL,
                blocked {boolean} NOT NULL,
                metadata TEXT NOT NULL,
                tags TEXT NOT NULL,
                guardrails TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL);
            CREATE UNIQUE INDEX virtual_keys_alias ON virtual_keys (key_alias) WHERE key_alias IS NOT NULL;
            """),
        new(2, "spend logs", """
            CREATE TABLE spend_logs (
                request_id TEXT PRIMARY KEY,
                call_type TEXT NOT NULL,
                api_key TEXT NOT NULL,
                key_alias TEXT NULL,
                route TEXT NOT NULL,
                custom_llm_provider TEXT NOT NULL,
                api_base TEXT NOT NULL,
                model TEXT NULL,
                prompt_tokens BIGINT NOT NULL,
                completion_tokens BIGINT NOT NULL,
                total_tokens BIGINT NOT NULL,
                cache_read_input_tokens BIGINT NOT NULL,
                cache_creation_input_tokens BIGINT NOT NULL,
                spend {money} NOT NULL,
                request_tags TEXT NOT NULL,
                metadata TEXT NOT NULL,
                status TEXT NOT NULL,
                status_code INTEGER NOT NULL,
                stream {boolean} NOT NULL,
                start_time BIGINT NOT NULL,
                end_time BIGINT NOT NULL,
                completion_start_time BIGINT NULL,
                requester_ip_address TEXT NULL,
                usage_estimated {boolean} NOT NULL);
            CREATE INDEX spend_logs_api_key_start ON spend_logs (api_key, start_time);
            CREATE INDEX spend_logs_start ON spend_logs (start_time);
            """),
    ];

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => All[^1].Version;

    /// <summary>Brings the schema up to <see cref="LatestVersion"/>; returns how many migrations ran.</summary>
    /// <exception cref="InvalidOperationException">The database was migrated by a newer Tollgate.</exception>
    public static async Task<int> ApplyAsync(Database database, long nowUnixMs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (database.Kind == DatabaseKind.Sqlite)
        {
            // WAL lets readers (key lookups) run while the spend writer commits.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (database.Kind == DatabaseKind.Postgres)
        {
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresLockId});", cancellationToken);
        }

        await ExecuteAsync(connection, transaction,
            "CREATE TABLE IF NOT EXISTS tollgate_schema (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL);",
            cancellationToken);

        await using var query = Sql.Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM tollgate_schema;");
        var current = Convert.ToInt32(await query.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database ({database.Description}) has schema version {current}, newer than this Tollgate knows ({LatestVersion}); run a newer Tollgate.");
        }

        var applied = 0;
        foreach (var migration in All.Where(m => m.Version > current))
        {
            await ExecuteAsync(connection, transaction, ForDialect(migration.Sql, database.Kind), cancellationToken);
            await using var record = Sql.Command(connection, transaction, "INSERT INTO tollgate_schema (version, description, applied_at) VALUES (@version, @description, @at);");
            Sql.Parameter(record, "version", migration.Version);
            Sql.Parameter(record, "description", migration.Description);
            Sql.Parameter(record, "at", nowUnixMs);
            await record.ExecuteNonQueryAsync(cancellationToken);
            applied++;
        }

        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Fills the column types the dialects spell differently. Money is exact NUMERIC in Postgres and TEXT
    /// in SQLite, whose NUMERIC affinity would turn it into a double.
    /// </summary>
    private static string ForDialect(string sql, DatabaseKind kind) => kind == DatabaseKind.Postgres
        ? sql.Replace("{money}", "NUMERIC", StringComparison.Ordinal).Replace("{boolean}", "BOOLEAN", StringComparison.Ordinal)
        : sql.Replace("{money}", "TEXT", StringComparison.Ordinal).Replace("{boolean}", "INTEGER", StringComparison.Ordinal);

    private sealed record Migration(int Version, string Description, string Sql);
}
