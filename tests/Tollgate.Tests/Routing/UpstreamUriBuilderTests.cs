using CsCheck;
using Tollgate.Fuzz.Targets;
using Tollgate.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Tollgate.Tests.Routing;

public sealed class UpstreamUriBuilderTests
{
    private static PassThroughRoute Route(string baseUrl, QueryPolicy? query = null) => new()
    {
        Name = "test",
        Prefix = "/test",
        IsCustomEndpoint = false,
        Upstream = new UpstreamTarget(new Uri(baseUrl)),
        RequiresVirtualKey = true,
        ForwardClientHeaders = true,
        Query = query ?? QueryPolicy.PassThrough,
        RequestConfig = ForwarderRequestConfig.Empty,
    };

    private static Uri Build(PassThroughRoute route, string tail, string query = "", bool dropKey = false)
    {
        var uri = UpstreamUriBuilder.TryBuild(route.Upstream!, route.Query, tail, query, dropKey, out var problem);
        Assert.True(uri is not null, problem);
        return uri!;
    }

    [Fact]
    public void Appends_the_tail_and_query_to_the_base_path()
    {
        var uri = Build(Route("https://api.example.com/base/"), "/v1/chat/completions", "a=1&b=%20x");

        Assert.Equal("https://api.example.com/base/v1/chat/completions?a=1&b=%20x", uri.AbsoluteUri);
    }

    [Fact]
    public void Keeps_encoded_slashes_as_sent()
    {
        var uri = Build(Route("https://bedrock.example.com"), "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fabc/converse");

        Assert.Equal("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fabc/converse", uri.PathAndQuery);
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("/@evil.example/x")]
    [InlineData("@evil.example/x")]
    [InlineData(":443@evil.example/x")]
    [InlineData("/https://evil.example/x")]
    [InlineData(".evil.example/x")]
    public void Crafted_tails_never_change_the_host(string tail)
    {
        var route = Route("https://api.example.com");

        var uri = UpstreamUriBuilder.TryBuild(route.Upstream!, route.Query, tail, "", false, out _);

        if (uri is not null)
        {
            Assert.Equal("api.example.com", uri.Host);
            Assert.Equal(443, uri.Port);
            Assert.Equal("https", uri.Scheme);
        }
    }

    [Fact]
    public void Dot_segments_are_refused_with_a_reason()
    {
        var route = Route("https://api.example.com/base");

        var uri = UpstreamUriBuilder.TryBuild(route.Upstream!, route.Query, "/%2e%2e/secret", "", false, out var problem);

        Assert.Null(uri);
        Assert.Contains("'..'", problem);
    }

    [Fact]
    public void Removes_the_clients_key_parameter_when_it_carried_the_virtual_key()
    {
        var uri = Build(Route("https://api.example.com"), "/v1/x", "alt=sse&key=sk-virtual&x=1", dropKey: true);

        Assert.Equal("?alt=sse&x=1", uri.Query);
    }

    [Fact]
    public void Gemini_style_routes_replace_any_client_key_with_the_real_one()
    {
        var route = Route("https://generativelanguage.example.com", new QueryPolicy { AppendedParameter = "key=real%2Bkey" });

        var uri = Build(route, "/v1beta/models/m:streamGenerateContent", "key=other&alt=sse&KEY=x&%6Bey=y", dropKey: true);

        Assert.Equal("?alt=sse&key=real%2Bkey", uri.Query);
    }

    [Fact]
    public void Target_query_wins_over_the_clients_unless_merge_is_on()
    {
        var fixedTarget = Route("https://api.example.com/rerank?version=2&region=eu");
        var merging = Route("https://api.example.com/rerank?version=2&region=eu", new QueryPolicy { ClientOverridesTarget = true });

        Assert.Equal("?version=2&region=eu&extra=1", Build(fixedTarget, "", "version=3&extra=1").Query);
        Assert.Equal("?region=eu&version=3&extra=1", Build(merging, "", "version=3&extra=1").Query);
    }

    [Fact]
    public void Default_query_params_fill_only_absent_names()
    {
        var route = Route("https://api.example.com/x", new QueryPolicy
        {
            Defaults = new Dictionary<string, string> { ["format"] = "json", ["lang"] = "en us" },
        });

        Assert.Equal("?lang=fr&format=json", Build(route, "", "lang=fr").Query);
        Assert.Equal("?format=json&lang=en%20us", Build(route, "", "").Query);
    }

    // '#' among the pieces: Kestrel passes it in the raw target; the canonical form escapes it
    // (fuzz/results/findings/upstream-path had it end the forwarded URL after the check had read past it).
    [Fact]
    public void No_request_target_leaves_the_configured_origin_and_base_path() =>
        Gen.Select(
                Gen.Byte,
                Gen.OneOf("/", "//", ".", "..", "%2e", "%2E", "%2f", "%2F", "%5c", "\\", ";", ";x", "%", "%25", "%00", "?", "@", ":", "a", "models", "%6Dodels", "http://evil.example", "#")
                    .Array[0, 12]
                    .Select(parts => System.Text.Encoding.Latin1.GetBytes(string.Concat(parts))))
            .Sample(input => UpstreamPathTarget.Run([input.Item1, .. input.Item2]), iter: 2000);
}
