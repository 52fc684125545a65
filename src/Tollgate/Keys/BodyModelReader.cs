using System.Text;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using Tollgate.Requests;

namespace Tollgate.Keys;

/// <summary>
/// The model a request body names, read the way the strictest provider parser would, or why it cannot
/// be told: then the call is refused, never forwarded unchecked. Parsers differ on duplicate keys (first
/// wins, last wins, names matched case-blind), comments, a byte-order mark and deep nesting, so a body that
/// would read differently to any of them is refused rather than judged.
/// </summary>
internal static class BodyModelReader
{
    private const int MaxModelFieldBytes = 1024;

    public readonly record struct Result(string? Model, string? Problem);

    /// <summary>A multipart form's <c>model</c> field; any other body as JSON, whatever its Content-Type says.</summary>
    public static async ValueTask<Result> ReadAsync(ReadOnlyMemory<byte> body, string? contentType, CancellationToken cancellationToken)
    {
        if (MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            && mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return await FromMultipartAsync(body, HeaderUtilities.RemoveQuotes(mediaType.Boundary).ToString(), cancellationToken);
        }

        return FromJson(body.Span);
    }

    public static Result FromJson(ReadOnlySpan<byte> json)
    {
        var fields = new List<TopLevelFields.Field>(1);
        return TopLevelFields.Read(json, "model", fields) switch
        {
            // No body names no model (a GET, say).
            TopLevelFields.Shape.Empty => new(null, null),
            TopLevelFields.Shape.Invalid => new(null, "the body is not strict JSON (no comments, no trailing data, at most 512 levels deep)"),
            TopLevelFields.Shape.NotObject => new(null, "the body is not a JSON object"),
            _ => fields switch
            {
                [] => new(null, null),
                [{ Type: JsonTokenType.String } model] => new(model.Text, null),
                [_] => new(null, "the body's \"model\" is not a string"),
                _ => new(null, "the body names \"model\" more than once"),
            },
        };
    }

    private static async ValueTask<Result> FromMultipartAsync(ReadOnlyMemory<byte> body, string boundary, CancellationToken cancellationToken)
    {
        if (boundary.Length == 0)
        {
            return new(null, "the multipart body has no boundary");
        }

        return await MultipartFields.ReadAsync(body, boundary, "model", MaxModelFieldBytes, cancellationToken) switch
        {
            null => new(null, "the body is not a well-formed multipart form"),
            { Count: > 1 } => new(null, "the form names \"model\" more than once"),
            [{ TooLong: true }] => new(null, "the form's \"model\" field is too long"),
            [var model] => new(model.Text, null),
            _ => new(null, null),
        };
    }
}
