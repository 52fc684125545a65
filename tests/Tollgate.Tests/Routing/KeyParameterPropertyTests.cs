using System.Globalization;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Tollgate.Keys;
using Tollgate.Routing;

namespace Tollgate.Tests.Routing;

/// <summary>
/// Property: the rule that removes <c>key</c> query parameters is the rule that reads them. Whatever a client
/// writes (casings, percent-encodings, '+', repeats, look-alike names), the parameters the upstream URL loses are
/// exactly the values ASP.NET's <c>Request.Query["key"]</c> hands the key reader, and every other one is kept, in order.
/// </summary>
public sealed class KeyParameterPropertyTests
{
    private static readonly UpstreamTarget Target = new(new Uri("https://api.example.com"));

    /// <summary>Names near "key": itself in any casing and encoding, and names that only look like it.</summary>
    private static readonly Gen<string> Name = Gen.OneOf(
        Gen.Int[0, 3].Array[3].Select(static forms => Encoded("key", forms)),
        Gen.OneOf("keys", "akey", "key+", "key%20", "ke", "k%65y%", "%2Bkey", "api_key", "x"));

    private static readonly Gen<string> Value = Gen.OneOf("sk-a", "sk-b", "", "a%2Bb", "sk+c");

    [Fact]
    public void Removed_parameters_are_exactly_the_ones_read_as_a_key()
    {
        var queries = Gen.Select(Name, Value, Gen.Bool).Array[0, 8]
            .Select(static pairs => string.Join('&', pairs.Select(static p => p.Item3 ? p.Item1 + "=" + p.Item2 : p.Item1)));

        queries.Sample(
            static query =>
            {
                var uri = UpstreamUriBuilder.TryBuild(Target, QueryPolicy.PassThrough, "/v1/x", Canonical(query), dropKeyParameter: true, out var problem);
                Assert.True(uri is not null, problem);

                var sent = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries);
                var client = query.Split('&', StringSplitOptions.RemoveEmptyEntries);
                var read = Request(query).Query[VirtualKeyReader.KeyQueryParameter];
                var kept = client.Where(pair => !IsReadAsKey(pair)).ToArray();

                // In the canonical form the gateway forwards (the middleware makes the whole target canonical first).
                Assert.Equal(Canonical(string.Join('&', kept)), string.Join('&', sent));
                Assert.Equal(read.Count, client.Length - kept.Length);
                Assert.DoesNotContain(sent, pair => Request(pair).Query.ContainsKey(VirtualKeyReader.KeyQueryParameter));
            },
            iter: 5_000);
    }

    private static string Canonical(string query)
    {
        var target = CanonicalTarget.Normalize("/v1/x?" + query);
        return target[(target.IndexOf('?') + 1)..];
    }

    /// <summary>ASP.NET's own reading of one pair decides: does Request.Query find it under "key"?</summary>
    private static bool IsReadAsKey(string pair) => Request(pair).Query.ContainsKey(VirtualKeyReader.KeyQueryParameter);

    private static HttpRequest Request(string query) =>
        new DefaultHttpContext { Request = { QueryString = new QueryString("?" + query) } }.Request;

    /// <summary>Each letter as itself (either case), or as %XX with upper- or lower-case hex digits.</summary>
    private static string Encoded(string name, int[] forms) => string.Concat(name.Select((c, i) => forms[i] switch
    {
        0 => char.ToLowerInvariant(c).ToString(),
        1 => char.ToUpperInvariant(c).ToString(),
        2 => "%" + ((int)c).ToString("X2", CultureInfo.InvariantCulture),
        _ => "%" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
    }));
}
