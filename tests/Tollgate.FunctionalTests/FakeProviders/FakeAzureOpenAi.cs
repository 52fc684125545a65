using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays an Azure OpenAI resource: <c>api-key</c> header must be the real key and every call needs an
/// <c>api-version</c> query; answers <c>/openai/deployments/{deployment}/chat/completions</c> in OpenAI's shape.
/// </summary>
public static partial class FakeAzureOpenAi
{
    public const string ApiKey = "azure-real-key-91ac";

    public const string InvalidKeyJson =
        """{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}""";

    public const string CompletionJson =
        """{"id":"chatcmpl-az1","object":"chat.completion","created":1700000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from Azure"},"finish_reason":"stop","content_filter_results":{}}],"usage":{"prompt_tokens":8,"completion_tokens":3,"total_tokens":11}}""";

    public static async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Headers["api-key"] != ApiKey)
        {
            await WriteJsonAsync(context, 401, InvalidKeyJson);
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
        {
            await WriteJsonAsync(context, 404, """{"error":{"code":"404","message":"Resource not found"}}""");
            return;
        }

        if (context.Request.Method != "POST" || !ChatCompletions().IsMatch(context.Request.Path.Value ?? ""))
        {
            await WriteJsonAsync(context, 404, """{"error":{"code":"404","message":"Resource not found"}}""");
            return;
        }

        await WriteJsonAsync(context, 200, CompletionJson);
    }

    private static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    [GeneratedRegex("^/openai/deployments/[^/]+/chat/completions$")]
    private static partial Regex ChatCompletions();
}
