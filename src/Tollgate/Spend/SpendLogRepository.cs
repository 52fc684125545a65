using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tollgate.Storage;

namespace Tollgate.Spend;

/// <summary>Spend-log rows in the database, and the key spend they add up to.</summary>
internal sealed class SpendLogRepository(Database database)
{
    private const string Columns = SpendLogColumns.Names;

    private static readonly string[] ColumnNames = Columns.Split(", ");

    private static readonly string Insert =
        $"INSERT INTO spend_logs ({Columns}) VALUES (@{Columns.Replace(", ", ", @", StringComparison.Ordinal)}) ON CONFLICT (request_id) DO NOTHING;";

    /// <summary>
    /// Writes the rows and adds their spend to their keys, in one transaction. Rows already stored
    /// (a retry or a replay) are skipped and add nothing, so writing twice never counts twice.
    /// </summary>
    /// <returns>The rows that were new.</returns>
    public async Task<IReadOnlyList<SpendLogRow>> InsertAsync(IReadOnlyList<SpendLogRow> rows, CancellationToken cancellationToken)
    {
        var inserted = new List<SpendLogRow>(rows.Count);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (connection is SqliteConnection sqlite)
        {
            SqliteSpendRows.Insert(sqlite, Insert, rows, inserted);
        }
        else
        {
            // One command, its parameters rebound per row, rather than a command per row.
            await using var command = Sql.Command(connection, transaction, Insert);
            foreach (var column in ColumnNames)
            {
                Sql.Parameter(command, "@" + column, null);
            }

            foreach (var row in rows)
            {
                var parameters = new ParameterSink(command.Parameters);
                SpendLogColumns.Write(row, ref parameters);
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    inserted.Add(row);
                }
            }
        }

        foreach (var (key, amount) in inserted.Where(r => r.ApiKey.Length > 0 && r.Spend != 0).GroupBy(r => r.ApiKey).Select(g => (g.Key, g.Sum(r => r.Spend))))
        {
            await AddSpendAsync(connection, transaction, key, amount, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    public async Task<IReadOnlyList<SpendLogRow>> QueryAsync(SpendLogFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, "");
        var conditions = Conditions(command, filter);
        command.CommandText = $"SELECT {Columns} FROM spend_logs{conditions} ORDER BY start_time DESC, request_id LIMIT @limit;";
        Sql.Parameter(command, "limit", filter.Limit);
        var rows = new List<SpendLogRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    /// <summary>Spend and call count per request tag over the filtered rows.</summary>
    public async Task<IReadOnlyList<(string Tag, long Count, decimal Spend)>> TagTotalsAsync(SpendLogFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, "");
        command.CommandText = $"SELECT request_tags, spend FROM spend_logs{Conditions(command, filter)};";
        var totals = new Dictionary<string, (long Count, decimal Spend)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var spend = reader.GetDecimal(1);
            foreach (var tag in Tags(reader.GetString(0)))
            {
                var (count, sum) = totals.GetValueOrDefault(tag);
                totals[tag] = (count + 1, sum + spend);
            }
        }

        return [.. totals.Select(t => (t.Key, t.Value.Count, t.Value.Spend)).OrderByDescending(t => t.Spend).ThenBy(t => t.Key, StringComparer.Ordinal)];
    }

    private async Task AddSpendAsync(DbConnection connection, DbTransaction transaction, string key, decimal amount, CancellationToken cancellationToken)
    {
        if (database.Kind == DatabaseKind.Postgres)
        {
            await using var add = Sql.Command(connection, transaction, "UPDATE virtual_keys SET spend = spend + @amount WHERE token = @token;");
            Sql.Parameter(add, "amount", amount);
            Sql.Parameter(add, "token", key);
            await add.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        // SQLite keeps money as text (exact), so the sum is made here; the write transaction excludes other writers.
        await using var read = Sql.Command(connection, transaction, "SELECT spend FROM virtual_keys WHERE token = @token;");
        Sql.Parameter(read, "token", key);
        if (await read.ExecuteScalarAsync(cancellationToken) is string current)
        {
            await using var write = Sql.Command(connection, transaction, "UPDATE virtual_keys SET spend = @spend WHERE token = @token;");
            Sql.Parameter(write, "spend", decimal.Parse(current, System.Globalization.CultureInfo.InvariantCulture) + amount);
            Sql.Parameter(write, "token", key);
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static string Conditions(DbCommand command, SpendLogFilter filter)
    {
        var conditions = new List<string>();
        if (filter.RequestId is { } requestId)
        {
            conditions.Add("request_id = @request_id");
            Sql.Parameter(command, "request_id", requestId);
        }

        if (filter.ApiKey is { } apiKey)
        {
            conditions.Add("api_key = @api_key");
            Sql.Parameter(command, "api_key", apiKey);
        }

        if (filter.Start is { } start)
        {
            conditions.Add("start_time >= @start");
            Sql.Parameter(command, "start", start.ToUnixTimeMilliseconds());
        }

        if (filter.End is { } end)
        {
            conditions.Add("start_time < @end");
            Sql.Parameter(command, "end", end.ToUnixTimeMilliseconds());
        }

        return conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
    }

    /// <summary>Sets the INSERT's parameters, made in column order, to a row's values.</summary>
    private struct ParameterSink(DbParameterCollection parameters) : ISpendColumnSink
    {
        private int _next;

        public void Text(string? value) => Set(value);

        public void Integer(long? value) => Set(value);

        public void Integer(int value) => Set(value);

        public void Flag(bool value) => Set(value);

        public void Money(decimal value) => Set(value);

        private void Set(object? value) => parameters[_next++].Value = value ?? DBNull.Value;
    }

    private static SpendLogRow Read(DbDataReader reader) => new()
    {
        RequestId = reader.GetString(0),
        CallType = reader.GetString(1),
        ApiKey = reader.GetString(2),
        KeyAlias = reader.IsDBNull(3) ? null : reader.GetString(3),
        Route = reader.GetString(4),
        CustomLlmProvider = reader.GetString(5),
        ApiBase = reader.GetString(6),
        Model = reader.IsDBNull(7) ? null : reader.GetString(7),
        PromptTokens = reader.GetInt64(8),
        CompletionTokens = reader.GetInt64(9),
        TotalTokens = reader.GetInt64(10),
        CacheReadInputTokens = reader.GetInt64(11),
        CacheCreationInputTokens = reader.GetInt64(12),
        Spend = reader.GetDecimal(13),
        RequestTags = Tags(reader.GetString(14)),
        MetadataJson = reader.GetString(15),
        Status = reader.GetString(16),
        StatusCode = reader.GetInt32(17),
        Stream = reader.GetBoolean(18),
        StartTime = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(19)),
        EndTime = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(20)),
        CompletionStartTime = reader.IsDBNull(21) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(21)),
        RequesterIpAddress = reader.IsDBNull(22) ? null : reader.GetString(22),
        UsageEstimated = reader.GetBoolean(23),
    };

    public static string TagsJson(IReadOnlyList<string> tags) => JsonSerializer.Serialize(tags, SpendJsonContext.Default.IReadOnlyListString);

    private static IReadOnlyList<string> Tags(string json) =>
        JsonSerializer.Deserialize(json, SpendJsonContext.Default.IReadOnlyListString) ?? [];
}

/// <summary>What <c>/spend/logs</c> and <c>/spend/tags</c> may filter by; all optional.</summary>
internal sealed record SpendLogFilter(string? RequestId = null, string? ApiKey = null, DateTimeOffset? Start = null, DateTimeOffset? End = null, int Limit = 1000);
