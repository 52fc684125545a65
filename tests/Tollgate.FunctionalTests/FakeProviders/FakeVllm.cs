using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays a vLLM OpenAI-compatible server: <c>POST /v1/completions</c>. Like <c>vllm serve --api-key</c>,
/// it checks <c>Authorization: Bearer</c> only when started with a key.
/// </summary>
public static class FakeVllm
{
    public const string ApiKey = "vllm-real-key-5e6f";

    public const string CompletionJson =
        """{"id":"cmpl-v1","object":"text_completion","created":1700000000,"model":"meta-llama/Llama-3.1-8B-Instruct","choices":[{"index":0,"text":" world","logprobs":null,"finish_reason":"length","stop_reason":null}],"usage":{"prompt_tokens":2,"total_tokens":4,"completion_tokens":2}}""";

    /// <param name="requiredKey">The key the server was started with, or null for an open server.</param>
    public static RequestDelegate Handler(string? requiredKey) => async context =>
    {
        context.Response.ContentType = "application/json";
        if (requiredKey is not null && context.Request.Headers.Authorization != "Bearer " + requiredKey)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("""{"error":"Unauthorized"}""");
            return;
        }

        if (context.Request.Method != "POST" || context.Request.Path != "/v1/completions")
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("""{"detail":"Not Found"}""");
            return;
        }

        await context.Response.WriteAsync(CompletionJson);
    };
}
