using System.Text;

namespace Tollgate.Tests.Credentials.SigV4;

/// <summary>A request from AWS's SigV4 suite (<c>request.txt</c>): request line, headers, blank line, body.</summary>
internal sealed class SuiteRequest
{
    public required string Method { get; init; }

    public required string Path { get; init; }

    public required string Query { get; init; }

    public required string Host { get; init; }

    /// <summary>Every header but Host, in file order; a name may repeat.</summary>
    public required List<KeyValuePair<string, string>> Headers { get; init; }

    public required byte[] Body { get; init; }

    public string Single(string name) => SingleOrNull(name) ?? throw new InvalidOperationException($"No {name} header.");

    public string? SingleOrNull(string name) =>
        Headers.SingleOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public static SuiteRequest Parse(byte[] file)
    {
        var text = Encoding.UTF8.GetString(file);
        var headerEnd = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = headerEnd < 0 ? text : text[..headerEnd];
        var body = headerEnd < 0 ? "" : text[(headerEnd + 2)..];
        var lines = head.Split('\n');

        // "GET /example space/?a=b HTTP/1.1": the target may contain spaces, so cut at the first and last.
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var question = target.IndexOf('?', StringComparison.Ordinal);

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
            {
                continue; // the file's final newline
            }

            if (line[0] is ' ' or '\t')
            {
                // An obsolete line fold continues the previous value; RFC 9112 §5.2 reads it as one space.
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }

        var host = headers.Single(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase));
        headers.Remove(host);

        return new SuiteRequest
        {
            Method = method,
            Path = question < 0 ? target : target[..question],
            Query = question < 0 ? "" : target[(question + 1)..],
            Host = host.Value,
            Headers = headers,
            Body = Encoding.UTF8.GetBytes(body),
        };
    }
}
