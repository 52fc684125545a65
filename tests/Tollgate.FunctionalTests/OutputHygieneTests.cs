using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests;

/// <summary>
/// What the gateway writes itself (errors, admin answers) is safe to show in a browser: &lt;, &gt; and &amp; in
/// reflected text are escaped and every such answer says <c>X-Content-Type-Options: nosniff</c>.
/// </summary>
public sealed class OutputHygieneTests
{
    private const string Script = "</script><script>alert(1)</script>&";

    [Fact]
    public async Task A_refused_model_is_reflected_escaped()
    {
        await using var provider = await SingleProviderGateway.StartAsync("openai", context => context.Response.WriteAsync("ok"), "sk-real");
        var gateway = provider.Gateway;
        var key = (await gateway.GenerateKeyAsync("""{"models":["gpt-4o-mini"]}""")).GetProperty("key").GetString()!;
        using var request = gateway.Request(HttpMethod.Post, "openai/v1/chat/completions", key);
        request.Content = new StringContent($$"""{"model":"{{Script}}","messages":[]}""", Encoding.UTF8, "application/json");

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertSafeAsync(response);
    }

    [Fact]
    public async Task An_unknown_route_is_reflected_escaped()
    {
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("");

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "%3Cscript%3Ealert(1)%3C%2Fscript%3E")).DefaultTimeout();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await AssertSafeAsync(response);
    }

    [Fact]
    public async Task Admin_answers_escape_what_they_were_given()
    {
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("");
        var key = (await gateway.GenerateKeyAsync($$"""{"key_alias":"{{Script}}","metadata":{"note":"{{Script}}"},"tags":["{{Script}}"]}""")).GetProperty("key").GetString()!;

        using var info = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "key/info?key=" + key, GatewayTestEnvironment.MasterKey)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        var body = await AssertSafeAsync(info);
        Assert.Contains("\\u003C/script\\u003E", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("health/liveliness")]
    [InlineData("metrics")]
    [InlineData("key/list")]
    public async Task The_gateways_own_routes_say_nosniff(string path)
    {
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync("");

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, path, GatewayTestEnvironment.MasterKey)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    /// <returns>The raw body, which holds none of the characters HTML gives meaning to.</returns>
    private static async Task<string> AssertSafeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain('<', body);
        Assert.DoesNotContain('>', body);
        Assert.DoesNotContain('&', body);
        return body;
    }
}
