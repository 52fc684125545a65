using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;
using Tollgate.Providers;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>What clients see when something goes wrong: each case answers with the contract's JSON error, or aborts a stream that already started.</summary>
public sealed class FailureModeTests
{
    private const string RealKey = "sk-real-cohere-31";

    private static Task<GatewayTestEnvironment> GatewayFor(string origin, string extra = "", string general = "") =>
        GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            pass_through_providers:
              cohere: { api_key: {{RealKey}}, api_base: "{{origin}}" {{extra}} }
            """,
            general: general);

    private static async Task<JsonElement> AssertJsonError(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.True(response.Headers.Contains("x-litellm-call-id"));
        return error.Clone();
    }

    [Fact]
    public async Task Upstream_refusing_connections_gives_502()
    {
        var closedPort = FreePort();
        await using var gateway = await GatewayFor($"http://127.0.0.1:{closedPort}");

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Post, "cohere/v2/chat")).DefaultTimeout();

        await AssertJsonError(response, HttpStatusCode.BadGateway, "upstream_unreachable");
        Assert.DoesNotContain(RealKey, gateway.Logs.AllText);
    }

    [Fact]
    public async Task Upstream_resetting_before_any_byte_gives_502()
    {
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Abort();
            return Task.CompletedTask;
        });
        await using var gateway = await GatewayFor(upstream.Origin);

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "cohere/v1/models")).DefaultTimeout();

        await AssertJsonError(response, HttpStatusCode.BadGateway, "upstream_unreachable");
    }

    [Fact]
    public async Task Upstream_slower_than_the_provider_timeout_gives_504()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
            await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted));
        await using var gateway = await GatewayFor(upstream.Origin, ", timeout: 1");

        // The upstream would answer after 20 s; the gateway gives up at the configured 1 s and says so.
        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Post, "cohere/v2/chat")).DefaultTimeout();

        var error = await AssertJsonError(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
        Assert.Contains("did not answer within 1 s", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_the_provider_breaks_midway_is_aborted_toward_the_client()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"n\":1}\n\n");
            await context.Response.Body.FlushAsync();
            await Task.Delay(100);
            context.Abort();
        });
        await using var gateway = await GatewayFor(upstream.Origin);

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Post, "cohere/v2/chat"), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var body = await response.Content.ReadAsStreamAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<IOException>(() => new StreamReader(body).ReadToEndAsync().DefaultTimeout());
    }

    [Fact]
    public async Task A_stream_that_goes_silent_longer_than_the_timeout_is_aborted_toward_the_client()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"n\":1}\n\n");
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted);
        });
        await using var gateway = await GatewayFor(upstream.Origin, ", timeout: 1");

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Post, "cohere/v2/chat"), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync().DefaultTimeout());

        Assert.Equal("data: {\"n\":1}", await reader.ReadLineAsync().DefaultTimeout());
        await Assert.ThrowsAnyAsync<IOException>(() => reader.ReadToEndAsync().DefaultTimeout());
    }

    [Fact]
    public async Task A_declared_body_over_the_limit_gives_413_without_contacting_the_provider()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayFor(upstream.Origin, general: "  max_request_size_mb: 0.001");
        using var request = gateway.Request(HttpMethod.Post, "cohere/v2/chat");
        request.Content = new ByteArrayContent(new byte[4096]);

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        await AssertJsonError(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task A_chunked_body_growing_over_the_limit_gives_413()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            await context.Response.WriteAsync("ok");
        }, recordBody: false);
        await using var gateway = await GatewayFor(upstream.Origin, general: "  max_request_size_mb: 0.001");
        using var request = gateway.Request(HttpMethod.Post, "cohere/v2/chat");
        request.Content = new StreamContent(new MemoryStream(new byte[8192]));
        request.Headers.TransferEncodingChunked = true;

        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, gateway.Logs.AllText);
        await AssertJsonError(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
    }

    [Fact]
    public async Task Missing_and_invalid_keys_give_401_without_contacting_the_provider()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayFor(upstream.Origin);

        using var missing = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "cohere/v1/models", key: null)).DefaultTimeout();
        using var invalid = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "cohere/v1/models", key: "sk-not-a-key")).DefaultTimeout();

        await AssertJsonError(missing, HttpStatusCode.Unauthorized, "auth_error");
        await AssertJsonError(invalid, HttpStatusCode.Unauthorized, "auth_error");
        Assert.Empty(upstream.Requests);
        Assert.DoesNotContain("sk-not-a-key", gateway.Logs.AllText);
    }

    [Fact]
    public async Task Without_a_master_key_the_gateway_refuses_and_says_how_to_set_one()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayTestEnvironment.StartAsync(
            $$"""
            pass_through_providers:
              cohere: { api_key: {{RealKey}}, api_base: "{{upstream.Origin}}" }
            """);

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "cohere/v1/models", key: "sk-anything")).DefaultTimeout();

        await AssertJsonError(response, HttpStatusCode.Unauthorized, "auth_error");
        Assert.Contains("master_key", await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task An_explicitly_open_gateway_forwards_without_a_key_and_still_swaps_in_the_real_one()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var gateway = await GatewayTestEnvironment.StartAsync(
            $$"""
            general_settings:
              allow_unauthenticated: true
            pass_through_providers:
              cohere: { api_key: {{RealKey}}, api_base: "{{upstream.Origin}}" }
            """);

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "cohere/v1/models", key: null)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + RealKey, upstream.LastRequest.Header("Authorization"));
        Assert.Contains(gateway.Logs.Entries, e => e.EventId == EventIds.RunningUnauthenticated && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task A_misspelt_general_setting_is_warned_about_at_start()
    {
        await using var gateway = await GatewayTestEnvironment.StartAsync(
            $"""
            general_settings:
              master_key: {GatewayTestEnvironment.MasterKey}
              master_kye: sk-typo
            """);

        var warning = Assert.Single(gateway.Logs.Entries, e => e.EventId == EventIds.ConfigWarning);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("general_settings.master_kye", warning.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'master_key'?", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-typo", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_routes_give_404()
    {
        await using var gateway = await GatewayFor("http://127.0.0.1:9");

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Post, "nosuchprovider/v1/chat")).DefaultTimeout();

        await AssertJsonError(response, HttpStatusCode.NotFound, "not_found_error");
    }

    [Fact]
    public async Task The_404_names_every_providers_route()
    {
        await using var gateway = await GatewayFor("http://127.0.0.1:9");

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Post, "nosuchprovider/v1/chat")).DefaultTimeout();

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        var message = json.RootElement.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Equal(
            "No route for POST /nosuchprovider/v1/chat. Provider routes start with "
                + "/openai, /anthropic, /gemini, /vertex_ai, /bedrock, /azure, /cohere, /mistral, /assemblyai or /vllm.",
            message);
        Assert.All(ProviderRegistry.All, p => Assert.Contains("/" + p.RoutePrefixes[0], message, StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
