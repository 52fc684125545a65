using System.Text;
using System.Text.Json;

namespace Tollgate.Spend;

/// <summary>
/// Rows the database would not take, one JSON object a line, appended and flushed to disk so a crash
/// loses nothing written here; replayed (and then removed) once the database answers again.
/// The spend writer's loop replays it; a stopping gateway may append at the same time, so each access
/// holds the file's lock, and a replay removes the file only if nothing was appended since it was read.
/// </summary>
internal sealed class SpillFile(string path)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private long _replayedLength = -1;

    public string Path { get; } = path;

    public bool HasRows => File.Exists(Path) && new FileInfo(Path).Length > 0;

    public async Task AppendAsync(IEnumerable<SpendLogRow> rows, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(JsonSerializer.Serialize(row, SpendJsonContext.Default.SpendLogRow)).Append('\n');
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.Asynchronous);
            if (file.Length > 0)
            {
                // A process killed mid-write leaves a torn last line: start on a line of our own, or the first row joins it.
                file.Seek(-1, SeekOrigin.End);
                if (file.ReadByte() != '\n')
                {
                    text.Insert(0, '\n');
                }
            }

            file.Seek(0, SeekOrigin.End);
            await file.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Every row in the file; a torn line (a crash mid-write) is skipped.</summary>
    public async Task<List<SpendLogRow>> ReadAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(Path))
            {
                _replayedLength = 0;
                return [];
            }

            var bytes = await File.ReadAllBytesAsync(Path, cancellationToken);
            _replayedLength = bytes.Length;
            return Rows(bytes);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The rows of a file of JSON lines (this one, or a journal segment); a torn line (a crash mid-write) is skipped.</summary>
    public static async Task<List<SpendLogRow>> ReadRowsAsync(string path, CancellationToken cancellationToken) =>
        Rows(await File.ReadAllBytesAsync(path, cancellationToken));

    private static List<SpendLogRow> Rows(byte[] bytes)
    {
        var rows = new List<SpendLogRow>();
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(line, SpendJsonContext.Default.SpendLogRow) is { } row)
                {
                    rows.Add(row);
                }
            }
            catch (JsonException)
            {
            }
        }

        return rows;
    }

    /// <summary>Removes the file once the rows <see cref="ReadAsync"/> gave are written; rows appended since keep it.</summary>
    /// <returns>True when the file is gone; false when it holds newer rows, to be replayed next time.</returns>
    public async Task<bool> DeleteReplayedAsync()
    {
        await _lock.WaitAsync();
        try
        {
            if (File.Exists(Path) && new FileInfo(Path).Length != _replayedLength)
            {
                return false;
            }

            File.Delete(Path);
            return true;
        }
        finally
        {
            _lock.Release();
        }
    }
}
