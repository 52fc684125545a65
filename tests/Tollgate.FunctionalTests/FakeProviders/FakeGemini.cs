using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays generativelanguage.googleapis.com: the key must be exactly one <c>key</c> query value equal to
/// the real key; answers <c>models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>
/// (SSE chunks separated by CRLF, as Google sends them).
/// </summary>
public static partial class FakeGemini
{
    public const string ApiKey = "AIza-real-gemini-3b9f";

    public const string InvalidKeyJson =
        """{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}""";

    public const string GenerateJson =
        """{"candidates":[{"content":{"parts":[{"text":"Hello from Gemini"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":4,"totalTokenCount":9},"modelVersion":"gemini-2.0-flash"}""";

    public static readonly string[] StreamChunks =
    [
        "data: " + """{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5},"modelVersion":"gemini-2.0-flash"}""" + "\r\n\r\n",
        "data: " + """{"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5},"modelVersion":"gemini-2.0-flash"}""" + "\r\n\r\n",
        "data: " + """{"candidates":[{"content":{"parts":[{"text":"!"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3,"totalTokenCount":8},"modelVersion":"gemini-2.0-flash"}""" + "\r\n\r\n",
    ];

    public static async Task HandleAsync(HttpContext context)
    {
        var keys = context.Request.Query["key"];
        if (keys.Count != 1 || keys[0] != ApiKey)
        {
            await WriteJsonAsync(context, 400, InvalidKeyJson);
            return;
        }

        var match = ModelMethod().Match(context.Request.Path.Value ?? "");
        if (context.Request.Method != "POST" || !match.Success)
        {
            await WriteJsonAsync(context, 404, """{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}""");
            return;
        }

        if (match.Groups["method"].Value == "generateContent")
        {
            await WriteJsonAsync(context, 200, GenerateJson);
            return;
        }

        if (context.Request.Query["alt"] != "sse")
        {
            // Without alt=sse Google streams one JSON array; the tests only use SSE.
            await WriteJsonAsync(context, 400, """{"error":{"code":400,"message":"alt=sse expected by this fake","status":"INVALID_ARGUMENT"}}""");
            return;
        }

        context.Response.ContentType = "text/event-stream";
        foreach (var chunk in StreamChunks)
        {
            await context.Response.WriteAsync(chunk);
            await context.Response.Body.FlushAsync();
        }
    }

    private static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.WriteAsync(json);
    }

    [GeneratedRegex("^/v1beta/models/(?<model>[^/:]+):(?<method>generateContent|streamGenerateContent)$")]
    private static partial Regex ModelMethod();
}
