using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>Plays api.cohere.com: <c>Authorization: Bearer</c> with the real key; answers <c>POST /v2/chat</c> and <c>/v2/rerank</c> in Cohere's v2 shapes.</summary>
public static class FakeCohere
{
    public const string ApiKey = "cohere-real-key-44d0";

    public const string InvalidKeyJson = """{"id":"3f5e2a1c-0000-4000-8000-000000000001","message":"invalid api token"}""";

    public const string ChatJson =
        """{"id":"c14c80c3-18eb-4519-9460-6c92edd8cfb4","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"Hello from Cohere"}]},"usage":{"billed_units":{"input_tokens":5,"output_tokens":4},"tokens":{"input_tokens":71,"output_tokens":4}}}""";

    /// <summary>A v2 rerank answer: Cohere bills reranks in search units, not tokens.</summary>
    public const string RerankJson =
        """{"id":"07734bd2-2473-4f07-94e1-0d9f0e6843cf","results":[{"index":1,"relevance_score":0.99},{"index":0,"relevance_score":0.12}],"meta":{"api_version":{"version":"2"},"billed_units":{"search_units":2}}}""";

    public static async Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        if (context.Request.Headers.Authorization != "Bearer " + ApiKey)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync(InvalidKeyJson);
            return;
        }

        if (context.Request.Method == "POST" && context.Request.Path == "/v2/rerank")
        {
            await context.Response.WriteAsync(RerankJson);
            return;
        }

        if (context.Request.Method != "POST" || context.Request.Path != "/v2/chat")
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("""{"id":"3f5e2a1c-0000-4000-8000-000000000002","message":"404 page not found"}""");
            return;
        }

        await context.Response.WriteAsync(ChatJson);
    }
}
