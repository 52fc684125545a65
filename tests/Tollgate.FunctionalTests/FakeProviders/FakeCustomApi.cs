using System.Text;
using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays an arbitrary API behind custom pass-through endpoints: a Cohere-like rerank that checks
/// its <c>Authorization: bearer</c> credential, an SSE stream, a fixed odd-bytes JSON answer, an
/// upstream too slow to answer, and a plain <c>{"ok":true}</c> for every other path.
/// </summary>
public static class FakeCustomApi
{
    public const string CohereApiKey = "co-real-cohere-7a21";

    public const string RerankJson =
        """{"id":"rr-1","results":[{"index":1,"relevance_score":0.98},{"index":0,"relevance_score":0.12}],"meta":{"billed_units":{"search_units":1}}}""";

    public const string OkJson = """{"ok":true}""";

    /// <summary>Odd spacing, key order, escapes and non-ASCII: a re-serialised answer would differ.</summary>
    public static readonly byte[] RawAnswer =
        Encoding.UTF8.GetBytes("{ \"b\":1,\"a\" : [ 1.50, \"h\\u00e9\", \"\u00fc\ud83d\ude00\" ]  }\n");

    public static readonly string[] StreamEvents =
    [
        "event: message-start\ndata: {\"type\":\"message-start\"}\n\n",
        "event: text\ndata: {\"text\":\"Hel\"}\n\n",
        "event: text\ndata: {\"text\":\"lo\"}\n\n",
        "event: message-end\ndata: {\"type\":\"message-end\",\"usage\":{\"tokens\":2}}\n\n",
    ];

    /// <summary>How long <c>/slow</c> waits before its first byte; far beyond the endpoint's timeout.</summary>
    public static readonly TimeSpan SlowAnswerDelay = TimeSpan.FromSeconds(5);

    public static async Task HandleAsync(HttpContext context)
    {
        switch (context.Request.Path.Value)
        {
            case "/v1/rerank":
                await RerankAsync(context);
                break;
            case "/v1/stream":
                await StreamAsync(context);
                break;
            case "/v1/raw":
                context.Response.ContentType = "application/json; charset=utf-8";
                await context.Response.Body.WriteAsync(RawAnswer);
                break;
            case "/slow":
                await Task.Delay(SlowAnswerDelay, context.RequestAborted);
                await JsonAsync(context, 200, OkJson);
                break;
            default:
                await JsonAsync(context, 200, OkJson);
                break;
        }
    }

    private static Task RerankAsync(HttpContext context) =>
        context.Request.Headers.Authorization == "bearer " + CohereApiKey
            ? JsonAsync(context, 200, RerankJson)
            : JsonAsync(context, 401, """{"message":"invalid api token"}""");

    private static async Task StreamAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var e in StreamEvents)
        {
            await context.Response.WriteAsync(e);
            await context.Response.Body.FlushAsync();
        }
    }

    private static Task JsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }
}
