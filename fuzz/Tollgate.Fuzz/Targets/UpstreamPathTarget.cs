using System.Text;
using Tollgate.Routing;

namespace Tollgate.Fuzz.Targets;

/// <summary>
/// The request-target check: whatever the client's tail and query, a URL the gateway would forward
/// stays on the configured origin, under the configured base path, with no dot segment even once
/// percent-decoded. The input's bytes are the target's characters (Latin-1), split at the first '?'.
/// </summary>
internal static class UpstreamPathTarget
{
    private static readonly string[] Bases =
    [
        "https://api.openai.com",
        "https://api.openai.com/v1",
        "https://generativelanguage.googleapis.com/",
        "http://127.0.0.1:8080/base/path",
        "https://bedrock-runtime.us-east-1.amazonaws.com",
        "https://res.openai.azure.com/openai",
        "https://example.com/a%20b/c?fixed=1",
    ];

    private static readonly QueryPolicy[] Policies =
    [
        QueryPolicy.PassThrough,
        new() { AppendedParameter = "key=provider-secret" },
        new() { ClientOverridesTarget = true, Defaults = new Dictionary<string, string> { ["api-version"] = "2024-10-21" } },
    ];

    public static void Run(byte[] data)
    {
        var input = new FuzzInput(data);
        var baseUri = new Uri(Bases[input.Control % Bases.Length]);
        var target = new UpstreamTarget(baseUri);
        var text = Encoding.Latin1.GetString(input.Body);
        if (text.AsSpan().IndexOfAny(' ', '\r', '\n') >= 0)
        {
            // No HTTP/1.1 request line carries these in its target (and Uri would trim a trailing one).
            return;
        }

        var question = text.IndexOf('?', StringComparison.Ordinal);
        var tail = question < 0 ? text : text[..question];
        var query = question < 0 ? "" : text[(question + 1)..];
        if (tail.Length > 0 && tail[0] != '/')
        {
            tail = "/" + tail;
        }

        var policy = Policies[(input.Control >> 3) % Policies.Length];
        var uri = UpstreamUriBuilder.TryBuild(target, policy, tail, query, dropKeyParameter: (input.Control & 4) != 0, out var problem);
        if (uri is null)
        {
            FuzzFinding.Unless(problem is not null, "a refused path has no reason");
            return;
        }

        FuzzFinding.Unless(
            uri.GetLeftPart(UriPartial.Authority) == baseUri.GetLeftPart(UriPartial.Authority) && uri.UserInfo.Length == 0,
            $"the request left {baseUri.GetLeftPart(UriPartial.Authority)}: {uri}");
        var path = uri.AbsolutePath;
        FuzzFinding.Unless(
            path == target.BasePath || path.StartsWith(target.BasePath + "/", StringComparison.Ordinal),
            $"the path left the base path {target.BasePath}: {path}");
        var decoded = Uri.UnescapeDataString(path);
        FuzzFinding.Unless(!decoded.Contains('\\', StringComparison.Ordinal), $"a backslash reaches the provider: {path}");
        foreach (var segment in decoded.Split('/'))
        {
            var name = segment.Split(';')[0];
            FuzzFinding.Unless(name is not ("." or ".."), $"a dot segment reaches the provider: {path}");
        }
    }
}
