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
/// deeper than <see cref="MaxDepth"/>) cannot be told; a body that is not JSON at all asks for nothing.
/// </remarks>
internal static class StreamRequest
{
    /// <summary>The providers' streaming operations, named in the path (Gemini and Vertex AI, Vertex partner models, Bedrock).</summary>
    private static readonly string[] StreamingOperations =
        [":streamGenerateContent", ":streamRawPredict", ":serverStreamingPredict", ":streamingPredict", "/converse-stream", "/invoke-with-response-stream"];

    /// <summary>As <see cref="Keys.BodyModelReader"/>: deeper than any real request.</summary>
    private const int MaxDepth = 512;

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
        json = json.StartsWith(Encoding.UTF8.Preamble) ? json[Encoding.UTF8.Preamble.Length..] : json;
        var start = json.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0 || json[start] is not ((byte)'{' or (byte)'['))
        {
            return Answer.NotStreamed;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var streamed = false;
        try
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isStream = IsStreamName(ref reader);
                    reader.Read();
                    streamed |= isStream && reader.TokenType is not (JsonTokenType.False or JsonTokenType.Null);
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }

            // Anything after the root is an error the reader reports here.
            while (reader.Read())
            {
            }
        }
        catch (JsonException)
        {
            return Answer.CannotTell;
        }

        return streamed ? Answer.Streamed : Answer.NotStreamed;
    }

    private static bool IsStreamName(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("stream"u8) || (reader.GetString() is { Length: 6 } name && name.Equals("stream", StringComparison.OrdinalIgnoreCase));

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
