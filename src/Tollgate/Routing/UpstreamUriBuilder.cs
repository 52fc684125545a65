using Tollgate.Keys;

namespace Tollgate.Routing;

/// <summary>
/// Builds the upstream URL from the route's fixed origin and base path plus the client's tail and
/// query. The origin is never taken from client input, and the result is checked against it, so no
/// crafted path (<c>//host</c>, <c>@host</c>, an absolute URL, dot segments) can move the request.
/// </summary>
internal static class UpstreamUriBuilder
{
    /// <param name="target">The configured origin and base path.</param>
    /// <param name="policy">How the query is composed.</param>
    /// <param name="tail">The client's path after the route prefix, in <see cref="CanonicalTarget"/> form: empty or starting with '/'.</param>
    /// <param name="clientQuery">The client's raw query, without '?'.</param>
    /// <param name="dropKeyParameter">Remove every client <c>key</c> query parameter, in any casing or encoding (a key carrier).</param>
    /// <param name="problem">Why the URL was refused, when it was.</param>
    public static Uri? TryBuild(
        UpstreamTarget target, QueryPolicy policy, ReadOnlySpan<char> tail, ReadOnlySpan<char> clientQuery, bool dropKeyParameter, out string? problem)
    {
        problem = PathSafety.FindProblem(tail);
        if (problem is not null)
        {
            return null;
        }

        var query = ComposeQuery(target, policy, clientQuery, dropKeyParameter);
        var root = target.BasePath.Length == 0 && tail.IsEmpty ? "/" : "";
        var text = query.Length == 0
            ? string.Concat(target.Origin, target.BasePath, root, tail)
            : $"{target.Origin}{target.BasePath}{root}{tail}?{query}";

        // What was checked is what goes: System.Uri must send the path and query exactly as composed here.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || !target.IsSameOrigin(uri)
            || !text.AsSpan(target.Origin.Length).SequenceEqual(uri.PathAndQuery)
            || !uri.AbsolutePath.StartsWith(target.BasePath, StringComparison.Ordinal))
        {
            problem = "the path cannot be forwarded safely";
            return null;
        }

        return uri;
    }

    private static string ComposeQuery(UpstreamTarget target, QueryPolicy policy, ReadOnlySpan<char> clientQuery, bool dropKey)
    {
        if (target.Query.Length == 0 && policy.AppendedParameter is null && policy.Defaults.Count == 0 && (!dropKey || clientQuery.IsEmpty))
        {
            return clientQuery.ToString();
        }

        var targetPairs = Split(target.Query);
        var clientPairs = Split(clientQuery);
        if (dropKey)
        {
            clientPairs.RemoveAll(static p => VirtualKeyReader.IsKeyParameter(p.Name));
        }

        var kept = new List<string>(targetPairs.Count + clientPairs.Count + 2);
        if (policy.ClientOverridesTarget)
        {
            kept.AddRange(targetPairs.Where(t => !clientPairs.Exists(c => c.Name == t.Name)).Select(t => t.Raw));
            kept.AddRange(clientPairs.Select(c => c.Raw));
        }
        else
        {
            kept.AddRange(targetPairs.Select(t => t.Raw));
            kept.AddRange(clientPairs.Where(c => !targetPairs.Exists(t => t.Name == c.Name)).Select(c => c.Raw));
        }

        foreach (var (name, value) in policy.Defaults)
        {
            if (!targetPairs.Exists(p => p.Name == name) && !clientPairs.Exists(p => p.Name == name))
            {
                kept.Add(Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value));
            }
        }

        if (policy.AppendedParameter is not null)
        {
            kept.Add(policy.AppendedParameter);
        }

        return string.Join('&', kept);
    }

    private static List<(string Name, string Raw)> Split(ReadOnlySpan<char> query)
    {
        var pairs = new List<(string, string)>();
        foreach (var range in query.Split('&'))
        {
            var raw = query[range];
            if (raw.IsEmpty)
            {
                continue;
            }

            var equals = raw.IndexOf('=');
            var name = equals < 0 ? raw : raw[..equals];
            pairs.Add((Decode(name), raw.ToString()));
        }

        return pairs;
    }

    private static string Decode(ReadOnlySpan<char> component)
    {
        var text = component.ToString().Replace('+', ' ');
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}
