using BenchmarkDotNet.Attributes;
using Tollgate.Keys;
using Tollgate.Storage;

namespace Tollgate.Benchmarks;

/// <summary>
/// What a virtual key costs on the request path when the key is cached: hashing the presented key,
/// the cache lookup and the checks, then the local limiters (rpm and parallel slot).
/// </summary>
[MemoryDiagnoser]
public class KeyLookupBenchmarks
{
    private const string Key = "sk-benchmark-key-0123456789abcdefghijklmnopqrstuvwxyz";

    private DirectoryInfo _folder = null!;
    private Database _database = null!;
    private KeyAuthenticator _authenticator = null!;
    private LocalKeyLimiter _limiter = null!;
    private StoredKey _limitedKey = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("tollgate-bench-");
        _database = Database.Open(DatabaseLocation.Parse("sqlite:" + Path.Combine(_folder.FullName, "bench.db"), out _)!);
        await Migrations.ApplyAsync(_database, 0, CancellationToken.None);
        var repository = new KeyRepository(_database);
        var now = TimeProvider.System.GetUtcNow();
        _limitedKey = new StoredKey
        {
            Token = KeyHash.Of(Key),
            KeyName = "sk-...wxyz",
            MaxBudget = 100,
            RpmLimit = int.MaxValue,
            MaxParallelRequests = 1000,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await repository.InsertAsync(_limitedKey, CancellationToken.None);

        _authenticator = new KeyAuthenticator(new MasterKey(KeyHash.Of("sk-master-benchmark"), false), new KeyCache(repository, new KeySpendLedger(), TimeProvider.System), TimeProvider.System);
        _limiter = new LocalKeyLimiter(new TokenWindows(TimeProvider.System));
        await _authenticator.CheckAsync(Key, CancellationToken.None);
    }

    [Benchmark]
    public async ValueTask<bool> CachedKeyCheck() => (await _authenticator.CheckAsync(Key, CancellationToken.None)).Allowed;

    [Benchmark]
    public void LocalLimits()
    {
        _limiter.TryAcquire(_limitedKey).Lease?.Dispose();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _limiter.DisposeAsync();
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
