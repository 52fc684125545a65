using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays api.assemblyai.com: the raw key in <c>Authorization</c> (no scheme); <c>POST /v2/transcript</c>
/// queues a transcript, <c>GET /v2/transcript/{id}</c> returns it.
/// </summary>
public static class FakeAssemblyAi
{
    public const string ApiKey = "assemblyai-real-key-0c3d";

    public const string TranscriptId = "6sj5ni2h8e-fake";

    public const string UnauthorizedJson = """{"error":"Authentication error, API token missing/invalid"}""";

    public const string QueuedJson = """{"id":"6sj5ni2h8e-fake","status":"queued","audio_url":"https://example.invalid/audio.mp3","text":null}""";

    public const string CompletedJson = """{"id":"6sj5ni2h8e-fake","status":"completed","audio_url":"https://example.invalid/audio.mp3","text":"Hello from AssemblyAI"}""";

    public static async Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        if (context.Request.Headers.Authorization != ApiKey)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync(UnauthorizedJson);
            return;
        }

        var path = context.Request.Path.Value;
        if (context.Request.Method == "POST" && path == "/v2/transcript")
        {
            await context.Response.WriteAsync(QueuedJson);
        }
        else if (context.Request.Method == "GET" && path == "/v2/transcript/" + TranscriptId)
        {
            await context.Response.WriteAsync(CompletedJson);
        }
        else
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("""{"error":"Transcript lookup error, transcript id not found"}""");
        }
    }
}
