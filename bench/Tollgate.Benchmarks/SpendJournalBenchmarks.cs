using BenchmarkDotNet.Attributes;
using Tollgate.Spend;

namespace Tollgate.Benchmarks;

/// <summary>
/// What the kill -9 guarantee costs each call: its row appended to the spend journal on the request thread
/// (serialised to JSON, one write to the page cache, no fsync), and the writer's bookkeeping once the row is
/// written, with a segment rotated every 500 rows as the writer's batches do.
/// </summary>
[MemoryDiagnoser]
public class SpendJournalBenchmarks
{
    private const int Batch = 500;

    private readonly SpendLogRow[] _rows = new SpendLogRow[Batch];
    private DirectoryInfo _folder = null!;
    private SpendJournal _journal = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("tollgate-bench-journal-");
        _journal = new SpendJournal(Path.Combine(_folder.FullName, "journal"));
        for (var i = 0; i < _rows.Length; i++)
        {
            _rows[i] = BenchmarkRows.Row(Guid.CreateVersion7().ToString());
        }
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void AppendThenSettle()
    {
        foreach (var row in _rows)
        {
            _journal.Append(row);
        }

        _journal.Rotate();
        _journal.Settled(_rows);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _journal.Dispose();
        _folder.Delete(recursive: true);
    }
}
