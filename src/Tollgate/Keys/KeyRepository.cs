using System.Data.Common;
using System.Text.Json;
using Tollgate.Storage;

namespace Tollgate.Keys;

/// <summary>Virtual keys in the database: one indexed lookup by hash on a cache miss, and the admin API's writes.</summary>
internal sealed class KeyRepository(Database database)
{
    private const string Columns =
        "token, key_name, key_alias, models, allowed_routes, max_budget, budget_duration, budget_reset_at, spend, rpm_limit, tpm_limit, "
        + "max_parallel_requests, expires_at, blocked, metadata, tags, guardrails, created_at, updated_at";

    private const string Values =
        "@token, @key_name, @key_alias, @models, @allowed_routes, @max_budget, @budget_duration, @budget_reset_at, @spend, @rpm_limit, @tpm_limit, "
        + "@max_parallel_requests, @expires_at, @blocked, @metadata, @tags, @guardrails, @created_at, @updated_at";

    /// <returns>False when another key already has the alias.</returns>
    public async Task<bool> InsertAsync(StoredKey key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, $"INSERT INTO virtual_keys ({Columns}) VALUES ({Values});");
        Bind(command, key);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (DbException e) when (Database.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<StoredKey?> FindAsync(KeyHash token, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, $"SELECT {Columns} FROM virtual_keys WHERE token = @token;");
        Sql.Parameter(command, "token", token.ToString());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<KeyHash?> FindByAliasAsync(string alias, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, "SELECT token FROM virtual_keys WHERE key_alias = @alias;");
        Sql.Parameter(command, "alias", alias);
        return await command.ExecuteScalarAsync(cancellationToken) is string hex && KeyHash.TryParse(hex, out var hash) ? hash : null;
    }

    /// <returns>Null when the key is gone; false when the new alias is taken.</returns>
    public async Task<bool?> UpdateAsync(StoredKey key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var assignments = string.Join(", ", Columns.Split(", ").Skip(1).Select(c => $"{c} = @{c}"));
        await using var command = Sql.Command(connection, null, $"UPDATE virtual_keys SET {assignments} WHERE token = @token;");
        Bind(command, key);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? true : null;
        }
        catch (DbException e) when (Database.IsUniqueViolation(e))
        {
            return false;
        }
    }

    /// <summary>Starts the next budget window, unless another instance already did.</summary>
    public async Task ResetBudgetAsync(KeyHash token, DateTimeOffset? windowEnded, DateTimeOffset nextReset, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "UPDATE virtual_keys SET spend = @zero, budget_reset_at = @next, updated_at = @now WHERE token = @token AND "
            + (windowEnded is null ? "budget_reset_at IS NULL;" : "budget_reset_at = @ended;"));
        Sql.Parameter(command, "zero", 0m);
        Sql.Parameter(command, "next", nextReset.ToUnixTimeMilliseconds());
        Sql.Parameter(command, "now", now.ToUnixTimeMilliseconds());
        Sql.Parameter(command, "token", token.ToString());
        if (windowEnded is { } ended)
        {
            Sql.Parameter(command, "ended", ended.ToUnixTimeMilliseconds());
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <returns>The tokens that existed and are now deleted.</returns>
    public async Task<IReadOnlyList<KeyHash>> DeleteAsync(IReadOnlyCollection<KeyHash> tokens, CancellationToken cancellationToken)
    {
        var deleted = new List<KeyHash>();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var token in tokens)
        {
            await using var command = Sql.Command(connection, transaction, "DELETE FROM virtual_keys WHERE token = @token;");
            Sql.Parameter(command, "token", token.ToString());
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                deleted.Add(token);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>One page of keys, newest first, and the total count.</summary>
    public async Task<(IReadOnlyList<StoredKey> Keys, long Total)> ListAsync(int page, int size, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var count = Sql.Command(connection, null, "SELECT COUNT(*) FROM virtual_keys;");
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

        await using var command = Sql.Command(connection, null,
            $"SELECT {Columns} FROM virtual_keys ORDER BY created_at DESC, token LIMIT @size OFFSET @offset;");
        Sql.Parameter(command, "size", size);
        Sql.Parameter(command, "offset", (long)(page - 1) * size);
        var keys = new List<StoredKey>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(Read(reader));
        }

        return (keys, total);
    }

    private static void Bind(DbCommand command, StoredKey key)
    {
        Sql.Parameter(command, "token", key.Token.ToString());
        Sql.Parameter(command, "key_name", key.KeyName);
        Sql.Parameter(command, "key_alias", key.KeyAlias);
        Sql.Parameter(command, "models", JsonSerializer.Serialize(key.Models, KeyJsonContext.Default.IReadOnlyListString));
        Sql.Parameter(command, "allowed_routes", JsonSerializer.Serialize(key.AllowedRoutes, KeyJsonContext.Default.IReadOnlyListString));
        Sql.Parameter(command, "max_budget", key.MaxBudget);
        Sql.Parameter(command, "budget_duration", key.BudgetDuration);
        Sql.Parameter(command, "budget_reset_at", key.BudgetResetAt?.ToUnixTimeMilliseconds());
        Sql.Parameter(command, "spend", key.Spend);
        Sql.Parameter(command, "rpm_limit", key.RpmLimit);
        Sql.Parameter(command, "tpm_limit", key.TpmLimit);
        Sql.Parameter(command, "max_parallel_requests", key.MaxParallelRequests);
        Sql.Parameter(command, "expires_at", key.ExpiresAt?.ToUnixTimeMilliseconds());
        Sql.Parameter(command, "blocked", key.Blocked);
        Sql.Parameter(command, "metadata", key.MetadataJson);
        Sql.Parameter(command, "tags", JsonSerializer.Serialize(key.Tags, KeyJsonContext.Default.IReadOnlyListString));
        Sql.Parameter(command, "guardrails", JsonSerializer.Serialize(key.Guardrails, KeyJsonContext.Default.IReadOnlyListString));
        Sql.Parameter(command, "created_at", key.CreatedAt.ToUnixTimeMilliseconds());
        Sql.Parameter(command, "updated_at", key.UpdatedAt.ToUnixTimeMilliseconds());
    }

    private static StoredKey Read(DbDataReader reader)
    {
        KeyHash.TryParse(reader.GetString(0), out var token);
        return new StoredKey
        {
            Token = token,
            KeyName = reader.GetString(1),
            KeyAlias = reader.IsDBNull(2) ? null : reader.GetString(2),
            Models = List(reader.GetString(3)),
            AllowedRoutes = List(reader.GetString(4)),
            MaxBudget = reader.IsDBNull(5) ? null : reader.GetDecimal(5),
            BudgetDuration = reader.IsDBNull(6) ? null : reader.GetString(6),
            BudgetResetAt = Time(reader, 7),
            Spend = reader.GetDecimal(8),
            RpmLimit = reader.IsDBNull(9) ? null : reader.GetInt64(9),
            TpmLimit = reader.IsDBNull(10) ? null : reader.GetInt64(10),
            MaxParallelRequests = reader.IsDBNull(11) ? null : reader.GetInt64(11),
            ExpiresAt = Time(reader, 12),
            Blocked = reader.GetBoolean(13),
            MetadataJson = reader.GetString(14),
            Tags = List(reader.GetString(15)),
            Guardrails = List(reader.GetString(16)),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(17)),
            UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(18)),
        };
    }

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static IReadOnlyList<string> List(string json) =>
        JsonSerializer.Deserialize(json, KeyJsonContext.Default.IReadOnlyListString) ?? [];
}
