using System.Collections.Frozen;

namespace Tollgate.Routing;

/// <summary>Maps a raw request path to its pass-through route: custom endpoints first, then provider prefixes.</summary>
internal sealed class RouteTable
{
    private readonly FrozenDictionary<string, PassThroughRoute>.AlternateLookup<ReadOnlySpan<char>> _bySegment;
    private readonly PassThroughRoute[] _custom;

    public RouteTable(IEnumerable<PassThroughRoute> providerRoutes, IEnumerable<PassThroughRoute> customRoutes)
    {
        Providers = providerRoutes.ToList();
        _bySegment = Providers.ToFrozenDictionary(r => r.Prefix[1..], StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();

        // Longest first, so /a/b wins over /a.
        _custom = customRoutes.OrderByDescending(r => r.Prefix.Length).ToArray();
    }

    public IReadOnlyList<PassThroughRoute> Providers { get; }

    public IReadOnlyList<PassThroughRoute> CustomEndpoints => _custom;

    /// <param name="rawPath">The path as the client sent it, still percent-encoded.</param>
    /// <param name="route">The matched route.</param>
    /// <param name="tailStart">Where the part forwarded after the upstream base path begins.</param>
    public bool TryMatch(ReadOnlySpan<char> rawPath, out PassThroughRoute route, out int tailStart)
    {
        foreach (var custom in _custom)
        {
            if (rawPath.StartsWith(custom.Prefix, StringComparison.Ordinal)
                && (rawPath.Length == custom.Prefix.Length
                    || (custom.IncludeSubpath && rawPath[custom.Prefix.Length] == '/')))
            {
                route = custom;
                tailStart = custom.Prefix.Length;
                return true;
            }
        }

        if (rawPath.Length > 1 && rawPath[0] == '/')
        {
            var rest = rawPath[1..];
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (_bySegment.TryGetValue(segment, out route!))
            {
                tailStart = 1 + segment.Length;
                return true;
            }
        }

        route = null!;
        tailStart = 0;
        return false;
    }
}
