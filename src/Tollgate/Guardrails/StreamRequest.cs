using System.Text;
using System.Text.Json;
using Tollgate.Requests;

namespace Tollgate.Guardrails;

/// <summary>
/// Whether a request asks for a streamed answer, decided on the path and body the provider gets and read the way
/// the most lenient provider would: post_call guardrails cannot check a stream, so such a request is refused
/// before it is forwarded (and charged), and so is one that cannot be told.
/// </summary>
/// <remarks>
/// The body is read as JSON whatever its Content-Type says (providers parse what they get), or as a multipart
/// form. Any top-level <c>stream</c>, in any letter case and however often, whose value is not <c>false</c> or
/// <c>null</c> asks for a stream: lenient parsers take <c>"true"</c> or <c>1</c> for true, and parsers differ on
/// which of two keys wins. A body that starts like JSON but is not strict JSON (comments, trailing data, nesting
/// deeper than <see cref="TopLevelFields.MaxDepth"/>) cannot be told; a body that is not JSON at all asks for nothing.
/// </remarks>
internal static class StreamRequest
{
    /// <summary>The providers' streaming operations, named in the path (Gemini and Vertex AI, Vertex partner models, Bedrock).</summary>
    private static readonly string[] StreamingOperations =
        [":streamGenerateContent", ":streamRawPredict", ":serverStreamingPredict", ":streamingPredict", "/converse-stream", "/invoke-with-response-stream"];

    private const int MaxFieldBytes = 64;

    public enum Answer
    {
        NotStreamed,
        Streamed,
        CannotTell,
    }

    /// <summary>The path names a streaming operation; compared case-blind, as some routers match.</summary>
    public static bool StreamingPath(string path)
    {
        foreach (var operation in StreamingOperations)
        {
            if (path.Contains(operation, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static async ValueTask<Answer> ReadAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken cancellationToken)
    {
        if (MultipartFields.Boundary(contentType) is { } boundary)
        {
            return await FromMultipartAsync(body, boundary, cancellationToken);
        }

        return FromJson(body.Span);
    }

    public static Answer FromJson(ReadOnlySpan<byte> json)
    {
        var start = json.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var first = json[start..].IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0 || json[start + first] is not ((byte)'{' or (byte)'['))
        {
            return Answer.NotStreamed;
        }

        var fields = new List<TopLevelFields.Field>();
        if (TopLevelFields.Read(json, "stream", fields) == TopLevelFields.Shape.Invalid)
        {
            return Answer.CannotTell;
        }

        return fields.Exists(f => f.Type is not (JsonTokenType.False or JsonTokenType.Null)) ? Answer.Streamed : Answer.NotStreamed;
    }

    /// <summary>A form's <c>stream</c> fields (OpenAI's transcriptions take one): any but <c>false</c>, <c>0</c> or empty asks for a stream.</summary>
    private static async ValueTask<Answer> FromMultipartAsync(ReadOnlyMemory<byte> body, string boundary, CancellationToken cancellationToken)
    {
        if (await MultipartFields.ReadAsync(body, boundary, "stream", MaxFieldBytes, cancellationToken) is not { } values)
        {
            return Answer.CannotTell;
        }

        return values.Any(v => v.TooLong || (v.Text.Trim() is not ("" or "0") && !v.Text.Trim().Equals("false", StringComparison.OrdinalIgnoreCase)))
            ? Answer.Streamed
            : Answer.NotStreamed;
    }
}
