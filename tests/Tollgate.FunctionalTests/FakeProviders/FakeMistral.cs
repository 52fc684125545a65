using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays api.mistral.ai: <c>Authorization: Bearer</c> with the real key; answers chat completions
/// (OpenAI-like), the model list, model deletion and fine-tuned model updates.
/// </summary>
public static class FakeMistral
{
    public const string ApiKey = "mistral-real-key-a81b";

    public const string UnauthorizedJson = """{"message":"Unauthorized","request_id":"0a1b2c3d4e5f"}""";

    public const string CompletionJson =
        """{"id":"cmpl-m1","object":"chat.completion","created":1700000000,"model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from Mistral","tool_calls":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":4,"total_tokens":11}}""";

    public const string ModelsJson =
        """{"object":"list","data":[{"id":"mistral-small-latest","object":"model","created":1700000000,"owned_by":"mistralai"}]}""";

    public static async Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        if (context.Request.Headers.Authorization != "Bearer " + ApiKey)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync(UnauthorizedJson);
            return;
        }

        var path = context.Request.Path.Value ?? "";
        switch (context.Request.Method)
        {
            case "POST" when path == "/v1/chat/completions":
                await context.Response.WriteAsync(CompletionJson);
                break;
            case "GET" when path == "/v1/models":
                await context.Response.WriteAsync(ModelsJson);
                break;
            case "DELETE" when path.StartsWith("/v1/models/", StringComparison.Ordinal):
                await context.Response.WriteAsync($$"""{"id":"{{path["/v1/models/".Length..]}}","object":"model","deleted":true}""");
                break;
            case "PATCH" when path.StartsWith("/v1/fine_tuning/models/", StringComparison.Ordinal):
                using (var reader = new StreamReader(context.Request.Body))
                {
                    await context.Response.WriteAsync($$"""{"id":"{{path["/v1/fine_tuning/models/".Length..]}}","object":"model","update":{{await reader.ReadToEndAsync()}}}""");
                }

                break;
            default:
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("""{"detail":"Not Found"}""");
                break;
        }
    }
}
