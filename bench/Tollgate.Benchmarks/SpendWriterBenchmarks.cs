using BenchmarkDotNet.Attributes;
using Tollgate.Spend;
using Tollgate.Storage;

namespace Tollgate.Benchmarks;

/// <summary>How many spend-log rows a second the writer's batched insert puts into SQLite (one batch of 500 per operation set).</summary>
[MemoryDiagnoser]
public class SpendWriterBenchmarks
{
    private const int BatchSize = 500;

    private DirectoryInfo _folder = null!;
    private Database _database = null!;
    private SpendLogRepository _repository = null!;
    private long _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("tollgate-bench-");
        _database = Database.Open(DatabaseLocation.Parse("sqlite:" + Path.Combine(_folder.FullName, "spend.db"), out _)!);
        await Migrations.ApplyAsync(_database, 0, CancellationToken.None);
        _repository = new SpendLogRepository(_database);
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public Task InsertBatchOf500() => _repository.InsertAsync(Batch(), CancellationToken.None);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private SpendLogRow[] Batch()
    {
        var now = DateTimeOffset.UnixEpoch.AddYears(56);
        var rows = new SpendLogRow[BatchSize];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new SpendLogRow
            {
                RequestId = (++_next).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
                ApiKey = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                Route = "/openai/v1/chat/completions",
                CustomLlmProvider = "openai",
                ApiBase = "api.openai.com",
                Model = "gpt-4o-mini",
                PromptTokens = 900,
                CompletionTokens = 120,
                TotalTokens = 1020,
                Spend = 0.000207m,
                RequestTags = ["team-a", "prod"],
                Status = "success",
                StatusCode = 200,
                Stream = true,
                StartTime = now,
                EndTime = now.AddMilliseconds(850),
                CompletionStartTime = now.AddMilliseconds(120),
            };
        }

        return rows;
    }
}
