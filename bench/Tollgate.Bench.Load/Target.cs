using System.Globalization;
using System.Net;

namespace Tollgate.Bench.Load;

/// <summary>One row of the benchmark: where to send the chat request, with which headers, and which process serves it.</summary>
/// <param name="Name">Row label: direct, yarp, tollgate, portkey.</param>
/// <param name="Url">Full chat-completions URL on 127.0.0.1.</param>
/// <param name="Pid">The serving process, for its peak RSS.</param>
/// <param name="Headers">Sent with every request (credentials, tags, gateway routing headers).</param>
internal sealed record Target(string Name, Uri Url, int Pid, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public IPEndPoint EndPoint { get; } = new(IPAddress.Parse(Url.Host), Url.Port);

    /// <summary>Reads the targets file bench/run.sh writes: one row a line, tab-separated
    /// <c>name url pid [Header: value]...</c>.</summary>
    /// <exception cref="FormatException">A line does not have that shape.</exception>
    public static IReadOnlyList<Target> ReadFile(string path)
    {
        var targets = new List<Target>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length < 3 || !Uri.TryCreate(fields[1], UriKind.Absolute, out var url)
                || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                throw new FormatException($"Bad targets line (want name<TAB>url<TAB>pid[<TAB>Header: value]...): {line}");
            }

            var headers = new List<KeyValuePair<string, string>>();
            foreach (var header in fields.AsSpan(3))
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new FormatException($"Bad header '{header}' for {fields[0]}.");
                }

                headers.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
            }

            targets.Add(new Target(fields[0], url, pid, headers));
        }

        return targets;
    }
}
