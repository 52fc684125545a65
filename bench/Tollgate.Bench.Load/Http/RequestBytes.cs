using System.Text;

namespace Tollgate.Bench.Load.Http;

/// <summary>Encodes the one request a scenario sends, once, before any timing starts.</summary>
internal static class RequestBytes
{
    /// <summary>A short chat request; OpenAI SDKs send about this much.</summary>
    public const string ChatBody = """{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello in one short sentence."}]}""";

    /// <summary>The same request asking for a stream, with the final usage chunk.</summary>
    public const string StreamBody = """{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello in one short sentence."}],"stream":true,"stream_options":{"include_usage":true}}""";

    public static byte[] Post(Target target, string body, IEnumerable<KeyValuePair<string, string>> scenarioHeaders)
    {
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder()
            .Append("POST ").Append(target.Url.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(target.Url.Authority).Append("\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append("Content-Length: ").Append(bodyBytes.Length).Append("\r\n");
        foreach (var (name, value) in target.Headers.Concat(scenarioHeaders))
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. bodyBytes];
    }
}
