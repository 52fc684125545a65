using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// A guardrail webhook: reads <c>{"guardrail", "call_id", "texts"}</c> and answers what <see cref="Answer"/>
/// says for that guardrail name (allow unless told otherwise), after an optional delay that ends early if
/// the gateway gives up. Records every call.
/// </summary>
public sealed class FakeGuardrailWebhook : IAsyncDisposable
{
    private FakeUpstream? _upstream;

    /// <summary>What to answer a guardrail: (status, JSON body, delay). Default: 200 allow at once.</summary>
    public Func<string, string[], (int Status, string Body, TimeSpan Delay)> Answer { get; set; } = Allow;

    public ConcurrentQueue<(string Guardrail, string CallId, string[] Texts, string? Authorization)> Calls { get; } = new();

    public string Url => _upstream!.Origin + "/check";

    public static (int, string, TimeSpan) Allow(string guardrail, string[] texts) => (200, """{"action":"allow"}""", TimeSpan.Zero);

    public static async Task<FakeGuardrailWebhook> StartAsync()
    {
        var webhook = new FakeGuardrailWebhook();
        webhook._upstream = await FakeUpstream.StartAsync(webhook.HandleAsync);
        return webhook;
    }

    /// <summary>The texts the named guardrail was last sent.</summary>
    public string[] LastTexts(string guardrail) => Calls.Last(c => c.Guardrail == guardrail).Texts;

    public ValueTask DisposeAsync() => _upstream?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var root = body.RootElement;
        var guardrail = root.GetProperty("guardrail").GetString()!;
        var texts = root.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Calls.Enqueue((guardrail, root.GetProperty("call_id").GetString()!, texts, context.Request.Headers.Authorization.ToString()));
        var (status, answer, delay) = Answer(guardrail, texts);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer);
    }
}
