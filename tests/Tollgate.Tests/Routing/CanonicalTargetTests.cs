using CsCheck;
using Tollgate.Routing;

namespace Tollgate.Tests.Routing;

public sealed class CanonicalTargetTests
{
    [Theory]
    [InlineData("/openai/v1/chat/completions?stream=true")]
    [InlineData("/bedrock/model/arn:aws:bedrock:us-east-1:1:profile/converse")]
    [InlineData("/")]
    [InlineData("/gemini/v1beta/models?key=x&a=b+c")]
    public void A_canonical_target_is_returned_as_it_is(string target) =>
        Assert.Same(target, CanonicalTarget.Normalize(target));

    [Theory]
    [InlineData("/gemini/v1beta/%6Dodels/gemini-1.5-pro:generateContent", "/gemini/v1beta/models/gemini-1.5-pro:generateContent")]
    [InlineData("/openai/v1/chat/complet%69ons", "/openai/v1/chat/completions")]
    [InlineData("/bedrock//model/m/converse", "/bedrock/model/m/converse")]
    [InlineData("//openai///v1/models/", "/openai/v1/models/")]
    [InlineData("/a/m%3agenerateContent", "/a/m:generateContent")]
    [InlineData("/a/b%2fc%2Fd", "/a/b%2Fc%2Fd")]
    [InlineData("/bedrock/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aprofile%2Fabc/converse", "/bedrock/model/arn:aws:bedrock:us-east-1:1:profile%2Fabc/converse")]
    [InlineData("/a/%2e%2e/b", "/a/../b")]
    [InlineData("/a/%zz", "/a/%zz")]
    [InlineData("/a/\u00e9|x", "/a/%C3%A9%7Cx")]
    [InlineData("/a?%6Bey=1&x=%3a&y=%zz&z=\"", "/a?key=1&x=%3A&y=%25zz&z=%22")]
    [InlineData("/a?b=%7e", "/a?b=~")]
    [InlineData("/a/b#/../c?d#e", "/a/b%23/../c?d%23e")]
    public void Escapes_of_unreserved_characters_are_decoded_and_the_rest_are_made_uniform(string target, string canonical) =>
        Assert.Equal(canonical, CanonicalTarget.Normalize(target));

    [Fact]
    public void Normalizing_twice_changes_nothing()
    {
        Targets.Sample(target =>
        {
            var once = CanonicalTarget.Normalize(target);
            Assert.Equal(once, CanonicalTarget.Normalize(once));
        });
    }

    [Fact]
    public void A_canonical_target_means_what_the_client_sent()
    {
        // Same characters once decoded, segment by segment: only empty segments go.
        Targets.Where(t => !t.Contains("%zz", StringComparison.Ordinal)).Sample(target =>
        {
            var canonical = CanonicalTarget.Normalize(target);
            Assert.Equal(DecodedSegments(target), DecodedSegments(canonical));
        });
    }

    [Fact]
    public void The_upstream_url_never_leaves_the_base_and_carries_exactly_the_canonical_path()
    {
        var target = new UpstreamTarget(new Uri("https://api.example.com/base"));
        Targets.Sample(raw =>
        {
            var canonical = CanonicalTarget.Normalize(raw);
            var queryStart = canonical.IndexOf('?');
            var tail = queryStart < 0 ? canonical : canonical[..queryStart];
            var query = queryStart < 0 ? "" : canonical[(queryStart + 1)..];

            var uri = UpstreamUriBuilder.TryBuild(target, QueryPolicy.PassThrough, tail, query, dropKeyParameter: false, out _);

            if (uri is not null)
            {
                Assert.Equal("https://api.example.com", uri.GetLeftPart(UriPartial.Authority));
                Assert.StartsWith("/base/", uri.AbsolutePath, StringComparison.Ordinal);
                Assert.Equal("/base" + canonical, uri.PathAndQuery);
                Assert.DoesNotContain("..", Uri.UnescapeDataString(uri.AbsolutePath).Split('/'));
            }
        });
    }

    /// <summary>Paths made of the pieces path tricks are built from, with a query now and then.</summary>
    private static readonly Gen<string> Targets =
        Gen.OneOf(
                "a", "models", "v1", ".", "..", "%2e", "%2E%2e", "%2f", "%2F", "%5c", "\\", "@", ":", "%3a", "%40", "evil.com",
                "http:", "%6Dodels", "%", "%zz", "~", "%7E", ";", "..;", "\u00e9", "%C3%A9", "|", "%00", "m:generateContent", "#", "")
            .Array[1, 8]
            .Select(Gen.OneOf("", "", "?a=1", "?key=%6B&x=%zz", "?%6Bey=v", "?q=a/b?c"), (segments, query) => "/" + string.Join('/', segments) + query);

    private static string[] DecodedSegments(string target)
    {
        var queryStart = target.IndexOf('?');
        var path = queryStart < 0 ? target : target[..queryStart];
        return [.. path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString),
            queryStart < 0 ? "" : Uri.UnescapeDataString(target[(queryStart + 1)..])];
    }
}
