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
        var rows = new SpendLogRow[BatchSize];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = BenchmarkRows.Row((++_next).ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        }

        return rows;
    }
}
