using Tollgate.Keys;
using Tollgate.Spend;
using Tollgate.Storage;

namespace Tollgate.Tests.Spend;

/// <summary>The spend writer's SQLite insert: rows read back as written, and writing a batch twice counts once.</summary>
public sealed class SqliteSpendLogTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("tollgate-spend-");
    private Database _database = null!;

    public async Task InitializeAsync()
    {
        _database = Database.Open(DatabaseLocation.Parse("sqlite:" + Path.Combine(_folder.FullName, "spend.db"), out _)!);
        await Migrations.ApplyAsync(_database, 0, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Every_field_reads_back_as_written_including_the_empty_ones()
    {
        var repository = new SpendLogRepository(_database);
        var full = Row("call-1", 0.000207m) with
        {
            KeyAlias = "team-a",
            Model = "gpt-4o-mini",
            PromptTokens = 900,
            CompletionTokens = 120,
            TotalTokens = 1020,
            CacheReadInputTokens = 64,
            CacheCreationInputTokens = 8,
            RequestTags = ["prod", "team-a"],
            MetadataJson = """{"error_type":"x"}""",
            Stream = true,
            CompletionStartTime = Start.AddMilliseconds(120),
            RequesterIpAddress = "127.0.0.1",
            UsageEstimated = true,
        };
        var bare = Row("call-2", 0m);

        await repository.InsertAsync([full, bare], CancellationToken.None);
        var stored = await repository.QueryAsync(new SpendLogFilter(), CancellationToken.None);

        Assert.Equivalent(new[] { full, bare }.OrderBy(r => r.RequestId), stored.OrderBy(r => r.RequestId), strict: true);
    }

    [Fact]
    public async Task A_batch_written_twice_is_stored_and_charged_once()
    {
        var key = KeyHash.Of("sk-test-key");
        await new KeyRepository(_database).InsertAsync(new StoredKey { Token = key, KeyName = "sk-...-key" }, CancellationToken.None);
        var repository = new SpendLogRepository(_database);
        SpendLogRow[] batch = [Row("call-1", 0.25m) with { ApiKey = key.ToString() }, Row("call-2", 0.125m) with { ApiKey = key.ToString() }];

        var first = await repository.InsertAsync(batch, CancellationToken.None);
        var again = await repository.InsertAsync([.. batch, Row("call-3", 1m) with { ApiKey = key.ToString() }], CancellationToken.None);

        Assert.Equal(2, first.Count);
        Assert.Equal(["call-3"], again.Select(r => r.RequestId));
        Assert.Equal(3, (await repository.QueryAsync(new SpendLogFilter(), CancellationToken.None)).Count);
        Assert.Equal(1.375m, (await new KeyRepository(_database).FindAsync(key, CancellationToken.None))!.Spend);
    }

    private static SpendLogRow Row(string id, decimal spend) => new()
    {
        RequestId = id,
        Route = "/openai/v1/chat/completions",
        CustomLlmProvider = "openai",
        ApiBase = "api.openai.com",
        Spend = spend,
        Status = "success",
        StatusCode = 200,
        StartTime = Start,
        EndTime = Start.AddMilliseconds(850),
    };
}
