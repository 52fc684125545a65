using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Tollgate.Keys;

/// <summary>
/// The model a request body names, read the way the strictest provider parser would, or why it cannot
/// be told: then the call is refused, never forwarded unchecked. Parsers differ on duplicate keys (first
/// wins, last wins, names matched case-blind), comments, a byte-order mark and deep nesting, so a body that
/// would read differently to any of them is refused rather than judged.
/// </summary>
internal static class BodyModelReader
{
    /// <summary>Deeper than any real request; Python's parser gives up near 1,000 levels.</summary>
    private const int MaxDepth = 512;

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
        json = json.StartsWith(Encoding.UTF8.Preamble) ? json[Encoding.UTF8.Preamble.Length..] : json;
        if (json.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            // No body names no model (a GET, say).
            return new(null, null);
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        string? model = null;
        var seen = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new(null, "the body is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = IsModelName(ref reader);
                reader.Read();
                if (!isModel)
                {
                    reader.Skip();
                    continue;
                }

                if (seen)
                {
                    return new(null, "the body names \"model\" more than once");
                }

                seen = true;
                if (reader.TokenType != JsonTokenType.String)
                {
                    return new(null, "the body's \"model\" is not a string");
                }

                model = reader.GetString();
            }

            // Anything after the object is an error the reader reports here.
            while (reader.Read())
            {
            }
        }
        catch (JsonException)
        {
            return new(null, "the body is not strict JSON (no comments, no trailing data, at most 512 levels deep)");
        }

        return new(model, null);
    }

    /// <summary>"model" in any case: some parsers match field names case-blind.</summary>
    private static bool IsModelName(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("model"u8))
        {
            return true;
        }

        var name = reader.GetString();
        return name is not null && name.Equals("model", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The body buffer is an array: read it in place.</summary>
    private static MemoryStream AsStream(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);

    private static async ValueTask<Result> FromMultipartAsync(ReadOnlyMemory<byte> body, string boundary, CancellationToken cancellationToken)
    {
        if (boundary.Length == 0)
        {
            return new(null, "the multipart body has no boundary");
        }

        string? model = null;
        var seen = false;
        try
        {
            var reader = new MultipartReader(boundary, AsStream(body));
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !HeaderUtilities.RemoveQuotes(disposition.Name).Equals("model", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (seen)
                {
                    return new(null, "the form names \"model\" more than once");
                }

                seen = true;
                var value = new byte[MaxModelFieldBytes + 1];
                var length = await section.Body.ReadAtLeastAsync(value, value.Length, throwOnEndOfStream: false, cancellationToken);
                if (length > MaxModelFieldBytes)
                {
                    return new(null, "the form's \"model\" field is too long");
                }

                model = Encoding.UTF8.GetString(value, 0, length);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return new(null, "the body is not a well-formed multipart form");
        }

        return new(model, null);
    }
}
