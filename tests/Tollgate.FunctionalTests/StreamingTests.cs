using System.Net;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests;

/// <summary>Answers reach the client as the provider sends them: nothing waits for the rest of the body.</summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task The_first_event_arrives_while_the_provider_still_holds_back_the_rest()
    {
        var firstEventReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var providerFinished = false;
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: message_start\ndata: {\"n\":1}\n\n");
            await context.Response.Body.FlushAsync();

            // The rest is only sent once the client has proven it already holds the first event.
            await firstEventReceived.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await context.Response.WriteAsync("event: message_stop\ndata: {\"n\":2}\n\n");
            providerFinished = true;
        });
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            pass_through_providers:
              anthropic: { api_key: sk-real-anthropic, api_base: "{{upstream.Origin}}" }
            """);

        using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Post, "anthropic/v1/messages"), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync().DefaultTimeout());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("event: message_start", await reader.ReadLineAsync().DefaultTimeout());
        Assert.Equal("data: {\"n\":1}", await reader.ReadLineAsync().DefaultTimeout());
        Assert.False(providerFinished);
        firstEventReceived.SetResult();
        Assert.Equal("\nevent: message_stop\ndata: {\"n\":2}\n\n", await reader.ReadToEndAsync().DefaultTimeout());
    }

    [Fact]
    public async Task A_client_that_disconnects_midstream_cancels_the_upstream_call_and_the_gateway_keeps_serving()
    {
        var upstreamCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            if (context.Request.Path == "/ping")
            {
                await context.Response.WriteAsync("pong");
                return;
            }

            context.Response.ContentType = "text/event-stream";
            try
            {
                for (var i = 0; i < 400; i++)
                {
                    await context.Response.WriteAsync($"data: {{\"n\":{i}}}\n\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(50, context.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
                upstreamCancelled.SetResult();
            }
        });
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            pass_through_providers:
              mistral: { api_key: sk-real-mistral, api_base: "{{upstream.Origin}}" }
            """);

        using (var client = new HttpClient { BaseAddress = gateway.BaseUri })
        {
            using var response = await client.SendAsync(gateway.Request(HttpMethod.Post, "mistral/v1/chat/completions"), HttpCompletionOption.ResponseHeadersRead).DefaultTimeout();
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync().DefaultTimeout());
            Assert.Equal("data: {\"n\":0}", await reader.ReadLineAsync().DefaultTimeout());
        }

        await upstreamCancelled.Task.DefaultTimeout();
        using var ping = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "mistral/ping")).DefaultTimeout();
        Assert.Equal("pong", await ping.Content.ReadAsStringAsync().DefaultTimeout());
    }
}
