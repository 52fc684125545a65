using System.Buffers;

namespace Tollgate.Credentials.SigV4;

/// <summary>
/// Writes SigV4's canonical request: method, canonical URI, canonical query, canonical headers,
/// signed headers and payload hash, one per line.
/// </summary>
internal static class AwsCanonicalRequest
{
    private const string HostHeader = "host";
    private const string DateHeader = "x-amz-date";
    private const string SecurityTokenHeader = "x-amz-security-token";
    private const string ContentSha256Header = "x-amz-content-sha256";

    /// <summary>Appends the canonical request to <paramref name="builder"/>; returns where the signed-headers list sits in it.</summary>
    public static Range Write(ref PooledCharBuilder builder, AwsSigningRequest request, string amzDate)
    {
        builder.Append(request.Method);
        builder.Append('\n');
        WritePath(ref builder, request.Path, request.NormalizePath);
        builder.Append('\n');
        WriteQuery(ref builder, request.Query);
        builder.Append('\n');
        var signedHeaders = WriteHeaders(ref builder, request, amzDate);
        builder.Append('\n');
        builder.Append(request.PayloadSha256Hex);
        return signedHeaders;
    }

    private static void WritePath(ref PooledCharBuilder builder, string path, bool normalize)
    {
        if (path.Length == 0)
        {
            builder.Append('/');
            return;
        }

        if (!normalize)
        {
            AppendEncodedPath(ref builder, path);
            return;
        }

        // Resolve "." and ".." and drop empty segments (repeated slashes) on a stack of segment ranges.
        var segmentCount = path.AsSpan().Count('/') + 1;
        Range[]? rented = null;
        Span<Range> segments = segmentCount <= 32 ? stackalloc Range[32] : (rented = ArrayPool<Range>.Shared.Rent(segmentCount));
        var depth = 0;
        foreach (var segment in path.AsSpan().Split('/'))
        {
            var text = path.AsSpan(segment);
            if (text.Length == 0 || text is ".")
            {
                continue;
            }

            if (text is "..")
            {
                // ".." above the root stays at the root, as a server resolving the path would.
                depth = Math.Max(0, depth - 1);
                continue;
            }

            segments[depth++] = segment;
        }

        builder.Append('/');
        for (var i = 0; i < depth; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            AppendEncodedPath(ref builder, path.AsSpan(segments[i]));
        }

        // A trailing slash survives normalisation ("//example//" is "/example/"), as in botocore.
        if (depth > 0 && path.EndsWith('/'))
        {
            builder.Append('/');
        }

        if (rented is not null)
        {
            ArrayPool<Range>.Shared.Return(rented);
        }
    }

    private static void AppendEncodedPath(ref PooledCharBuilder builder, ReadOnlySpan<char> path)
    {
        var destination = builder.GetSpan(path.Length * AwsUriEncoding.MaxEncodedCharsPerChar);
        builder.Advance(AwsUriEncoding.EncodePath(path, destination));
    }

    private static void WriteQuery(ref PooledCharBuilder builder, string query)
    {
        if (query.Length == 0)
        {
            return;
        }

        // Every name and value is decoded and re-encoded into one rented buffer, then the
        // parameters are sorted as (name, value) ranges into it: no string per parameter.
        var encoded = ArrayPool<char>.Shared.Rent(query.Length * AwsUriEncoding.MaxEncodedCharsPerChar);
        var parameters = ArrayPool<QueryParameter>.Shared.Rent(query.AsSpan().Count('&') + 1);
        var count = 0;
        var length = 0;
        foreach (var range in query.AsSpan().Split('&'))
        {
            var pair = query.AsSpan(range);
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            ReadOnlySpan<char> value = equals < 0 ? [] : pair[(equals + 1)..];

            var nameStart = length;
            length += AwsUriEncoding.ReencodeQueryComponent(name, encoded.AsSpan(length));
            var valueStart = length;
            length += AwsUriEncoding.ReencodeQueryComponent(value, encoded.AsSpan(length));
            parameters[count++] = new QueryParameter(nameStart, valueStart - nameStart, valueStart, length - valueStart);
        }

        parameters.AsSpan(0, count).Sort(new QueryParameterComparer(encoded));
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append('&');
            }

            var parameter = parameters[i];
            builder.Append(encoded.AsSpan(parameter.NameStart, parameter.NameLength));
            builder.Append('=');
            builder.Append(encoded.AsSpan(parameter.ValueStart, parameter.ValueLength));
        }

        ArrayPool<QueryParameter>.Shared.Return(parameters);
        ArrayPool<char>.Shared.Return(encoded);
    }

    private static Range WriteHeaders(ref PooledCharBuilder builder, AwsSigningRequest request, string amzDate)
    {
        var extra = request.Headers;
        var token = request.Credentials.SessionToken;
        var entries = ArrayPool<HeaderEntry>.Shared.Rent(extra.Count + 4);
        var count = 0;
        for (var i = 0; i < extra.Count; i++)
        {
            var (name, value) = extra[i];
            if (IsSignerHeader(name))
            {
                throw new ArgumentException($"Header '{name}' is added by the signer; leave it out of Headers.", nameof(request));
            }

            Add(entries, ref count, name, value);
        }

        Add(entries, ref count, HostHeader, request.Host);
        Add(entries, ref count, DateHeader, amzDate);
        if (token is not null)
        {
            Add(entries, ref count, SecurityTokenHeader, token);
        }

        if (request.AddContentSha256Header)
        {
            Add(entries, ref count, ContentSha256Header, request.PayloadSha256Hex);
        }

        // Sorted by lower-case name; the original position breaks ties so repeated headers keep their order.
        var sorted = entries.AsSpan(0, count);
        sorted.Sort(default(HeaderEntryComparer));

        for (var i = 0; i < sorted.Length; i++)
        {
            if (i > 0 && SameName(sorted[i - 1].Name, sorted[i].Name))
            {
                builder.Append(',');
            }
            else
            {
                if (i > 0)
                {
                    builder.Append('\n');
                }

                AppendLowerCase(ref builder, sorted[i].Name);
                builder.Append(':');
            }

            AppendTrimmedValue(ref builder, sorted[i].Value);
        }

        builder.Append('\n');
        builder.Append('\n');

        var signedStart = builder.Length;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i > 0)
            {
                if (SameName(sorted[i - 1].Name, sorted[i].Name))
                {
                    continue;
                }

                builder.Append(';');
            }

            AppendLowerCase(ref builder, sorted[i].Name);
        }

        var signedEnd = builder.Length;

        // Cleared: header values (the session token among them) must not linger in the shared pool.
        ArrayPool<HeaderEntry>.Shared.Return(entries, clearArray: true);
        return signedStart..signedEnd;
    }

    private static void Add(HeaderEntry[] entries, ref int count, string name, string value)
    {
        entries[count] = new HeaderEntry(name, value, count);
        count++;
    }

    private static bool IsSignerHeader(string name) =>
        name.Equals(HostHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(DateHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(SecurityTokenHeader, StringComparison.OrdinalIgnoreCase)
        || name.Equals(ContentSha256Header, StringComparison.OrdinalIgnoreCase);

    private static bool SameName(string a, string b) => CompareLowerCase(a, b) == 0;

    // Header names are ASCII tokens; lower-casing only A-Z keeps sorting and writing in agreement.
    private static char ToLowerAscii(char c) => (uint)(c - 'A') <= 'Z' - 'A' ? (char)(c | 0x20) : c;

    private static int CompareLowerCase(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var difference = ToLowerAscii(a[i]) - ToLowerAscii(b[i]);
            if (difference != 0)
            {
                return difference;
            }
        }

        return a.Length - b.Length;
    }

    private static void AppendLowerCase(ref PooledCharBuilder builder, string name)
    {
        var destination = builder.GetSpan(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            destination[i] = ToLowerAscii(name[i]);
        }

        builder.Advance(name.Length);
    }

    /// <summary>Trims spaces and tabs and collapses inner runs of them to one space.</summary>
    private static void AppendTrimmedValue(ref PooledCharBuilder builder, string value)
    {
        var rest = value.AsSpan().Trim(" \t");
        while (true)
        {
            var space = rest.IndexOfAny(' ', '\t');
            if (space < 0)
            {
                builder.Append(rest);
                return;
            }

            builder.Append(rest[..space]);
            builder.Append(' ');
            rest = rest[space..].TrimStart(" \t");
        }
    }

    private readonly record struct HeaderEntry(string Name, string Value, int Order);

    private readonly struct HeaderEntryComparer : IComparer<HeaderEntry>
    {
        public int Compare(HeaderEntry x, HeaderEntry y)
        {
            var byName = CompareLowerCase(x.Name, y.Name);
            return byName != 0 ? byName : x.Order.CompareTo(y.Order);
        }
    }

    private readonly record struct QueryParameter(int NameStart, int NameLength, int ValueStart, int ValueLength);

    /// <summary>Orders parameters by encoded name, then encoded value, ordinally.</summary>
    private readonly struct QueryParameterComparer(char[] encoded) : IComparer<QueryParameter>
    {
        public int Compare(QueryParameter x, QueryParameter y)
        {
            var byName = encoded.AsSpan(x.NameStart, x.NameLength).SequenceCompareTo(encoded.AsSpan(y.NameStart, y.NameLength));
            return byName != 0
                ? byName
                : encoded.AsSpan(x.ValueStart, x.ValueLength).SequenceCompareTo(encoded.AsSpan(y.ValueStart, y.ValueLength));
        }
    }
}
