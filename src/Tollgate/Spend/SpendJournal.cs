using System.Buffers;
using System.Text.Json;

namespace Tollgate.Spend;

/// <summary>
/// Every call's row, appended before the call's answer ends (issue 12: a gateway killed with <c>kill -9</c> must
/// keep the row of every answer a client saw complete). Rows are still queued in memory and written in batches;
/// the queue dies with the process, but this append has reached the kernel's page cache, which outlives it (an OS
/// crash or power cut can take the last appends, as it can SQLite's last commits under <c>synchronous=NORMAL</c>).
/// </summary>
/// <remarks>
/// The journal is a folder of segment files. The spend writer starts a new segment before each batch and deletes
/// an older one once all its rows are in the database or the spill file. At start, segments a killed process left
/// behind move to the spill file and are replayed like any spilled row (idempotent on <c>request_id</c>). One
/// append is one <c>write</c> call under a lock, without <c>fsync</c>; bench/Tollgate.Benchmarks SpendJournalBenchmarks
/// has its cost.
/// </remarks>
internal sealed class SpendJournal : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Segment> _sealed = [];
    private readonly string _process = Guid.NewGuid().ToString("N");
    private Segment? _current;
    private long _nextSegment;
    private bool _disposed;

    public SpendJournal(string folder)
    {
        Folder = folder;
        Directory.CreateDirectory(folder);
        Leftovers = [.. Directory.EnumerateFiles(folder, "*.jsonl")];
    }

    public string Folder { get; }

    /// <summary>Segments a previous process left (it was killed before their rows were written).</summary>
    private List<string> Leftovers { get; }

    /// <summary>Each request thread serialises its rows into its own buffer, so an append allocates nothing.</summary>
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Json)? t_line;

    /// <summary>Appends the row and notes its segment on it; the row must then reach <see cref="Settled"/>.</summary>
    public void Append(SpendLogRow row)
    {
        var (buffer, json) = t_line ??= NewLine();
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        JsonSerializer.Serialize(json, row, SpendJsonContext.Default.SpendLogRow);
        buffer.Write("\n"u8);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var segment = _current ??= Open();
            segment.File.Write(buffer.WrittenSpan);
            segment.File.Flush();
            segment.Pending++;
            row.Journal = segment;
        }
    }

    /// <summary>New rows go to a new segment, so older ones can be deleted once their rows are settled.</summary>
    public void Rotate()
    {
        lock (_lock)
        {
            if (_current is { } used)
            {
                _sealed.Add(used);
                _current = null;
            }
        }
    }

    /// <summary>The rows are in the database or the spill file: their segments may go.</summary>
    public void Settled(IReadOnlyList<SpendLogRow> rows)
    {
        lock (_lock)
        {
            foreach (var row in rows)
            {
                if (row.Journal is { } segment)
                {
                    segment.Pending--;
                    row.Journal = null;
                }
            }

            for (var i = _sealed.Count - 1; i >= 0; i--)
            {
                if (_sealed[i].Pending == 0)
                {
                    _sealed[i].Delete();
                    _sealed.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Moves the rows a killed process left in the journal to the spill file.</summary>
    /// <returns>True when there were any.</returns>
    public async Task<bool> RecoverAsync(SpillFile spill, CancellationToken cancellationToken)
    {
        var any = false;
        foreach (var path in Leftovers)
        {
            var rows = await SpillFile.ReadRowsAsync(path, cancellationToken);
            if (rows.Count > 0)
            {
                await spill.AppendAsync(rows, cancellationToken);
                any = true;
            }

            File.Delete(path);
        }

        Leftovers.Clear();
        return any;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _current?.File.Dispose();
            foreach (var segment in _sealed)
            {
                segment.File.Dispose();
            }
        }
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) NewLine()
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        return (buffer, new Utf8JsonWriter(buffer));
    }

    private Segment Open()
    {
        var path = Path.Combine(Folder, $"{_process}-{_nextSegment++}.jsonl");
        return new Segment(path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 4096));
    }

    /// <summary>One journal file and how many of its rows are not yet in the database or the spill file.</summary>
    internal sealed class Segment(string path, FileStream file)
    {
        public FileStream File { get; } = file;

        public int Pending { get; set; }

        public void Delete()
        {
            File.Dispose();
            System.IO.File.Delete(path);
        }
    }
}
