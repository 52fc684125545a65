using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Crafted paths sent over a raw socket: none may reach another host, and none may climb out of the
/// provider's base path. The "evil" server stands for any other host; it must never be contacted.
/// </summary>
public sealed class PathSafetyTests : IAsyncLifetime
{
    private const string RealKey = "sk-real-mistral-77";
    private FakeUpstream _provider = null!;
    private FakeUpstream _evil = null!;
    private GatewayTestEnvironment _gateway = null!;

    public async Task InitializeAsync()
    {
        _provider = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("provider"));
        _evil = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("evil"));
        _gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            pass_through_providers:
              mistral: { api_key: {{RealKey}}, api_base: "{{_provider.Origin}}/base" }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _provider.DisposeAsync();
        await _evil.DisposeAsync();
    }

    public static TheoryData<string> Tricks() =>
    [
        "/mistral/../anthropic/v1/messages",
        "/mistral/v1/../../secret",
        "/mistral/%2e%2e/secret",
        "/mistral/%2E%2E%2Fsecret",
        "/mistral/v1/..%2f..%2fsecret",
        "/mistral/..;/secret",
        "/mistral/v1\\..\\..\\secret",
        "/mistral/v1/%5c..%5csecret",
        "/mistral//EVIL/v1/chat",
        "/mistral/@EVIL/v1/chat",
        "/mistral/http://EVIL/v1/chat",
        "/mistral/%2F%2FEVIL/v1/chat",
        "http://EVIL/mistral/v1/chat",
        "/mistral/v1/x#/../../secret",
        "/mistral/v1/x?y#/../../secret",
    ];

    [Theory]
    [MemberData(nameof(Tricks))]
    public async Task Crafted_paths_stay_on_the_configured_host_under_the_base_path(string trick)
    {
        var target = trick.Replace("EVIL", _evil.BaseUri.Authority, StringComparison.Ordinal);

        var (status, response) = await RawHttp.SendAsync(_gateway.BaseUri, target, $"Authorization: Bearer {GatewayTestEnvironment.VirtualKey}\r\n");

        Assert.Empty(_evil.Requests);
        Assert.DoesNotContain("evil", response.Split("\r\n\r\n", 2)[1]);
        if (status == 200)
        {
            var seen = Assert.Single(_provider.Requests);
            Assert.StartsWith("/base/", seen.RawTarget);
            Assert.DoesNotContain("..", Uri.UnescapeDataString(seen.RawTarget.Split('?')[0]));
            Assert.DoesNotContain('#', seen.RawTarget);
            Assert.Equal("Bearer " + RealKey, seen.Header("Authorization"));
        }
        else
        {
            Assert.True(status is 400 or 404, $"{trick} answered {status}");
            Assert.Empty(_provider.Requests);
        }
    }

    [Fact]
    public async Task Dot_segments_are_refused_with_a_json_error()
    {
        var (status, response) = await RawHttp.SendAsync(_gateway.BaseUri, "/mistral/v1/%2e%2e/%2e%2e/secret", $"Authorization: Bearer {GatewayTestEnvironment.VirtualKey}\r\n");

        Assert.Equal(400, status);
        Assert.Contains("\"type\":\"invalid_request_error\"", response);
        Assert.Contains("'..' segment", response);
        Assert.Empty(_provider.Requests);
    }

    [Fact]
    public async Task Encoded_slashes_outside_dot_segments_reach_the_provider_still_encoded()
    {
        var (status, _) = await RawHttp.SendAsync(_gateway.BaseUri, "/mistral/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aprofile%2Fabc/converse?x=%2F", $"Authorization: Bearer {GatewayTestEnvironment.VirtualKey}\r\n");

        Assert.Equal(200, status);
        Assert.Equal("/base/model/arn:aws:bedrock:us-east-1:1:profile%2Fabc/converse?x=%2F", _provider.LastRequest.RawTarget);
    }
}
