using System.Text;
using System.Text.Json;

namespace Tollgate.Spend;

/// <summary>
/// Rows the database would not take, one JSON object a line, appended and flushed to disk so a crash
/// loses nothing written here; replayed (and then removed) once the database answers again.
/// Only the spend writer's single loop touches it.
/// </summary>
internal sealed class SpillFile(string path)
{
    public string Path { get; } = path;

    public bool HasRows => File.Exists(Path) && new FileInfo(Path).Length > 0;

    public async Task AppendAsync(IEnumerable<SpendLogRow> rows, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(JsonSerializer.Serialize(row, SpendJsonContext.Default.SpendLogRow)).Append('\n');
        }

        await using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        await file.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
        await file.FlushAsync(cancellationToken);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Every row in the file; a torn last line (a crash mid-write) is skipped.</summary>
    public async Task<List<SpendLogRow>> ReadAsync(CancellationToken cancellationToken)
    {
        var rows = new List<SpendLogRow>();
        if (!File.Exists(Path))
        {
            return rows;
        }

        foreach (var line in await File.ReadAllLinesAsync(Path, cancellationToken))
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

    public void Delete() => File.Delete(Path);
}
