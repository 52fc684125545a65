using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Tollgate.Requests;

/// <summary>The values a multipart form gives one field name (matched case-blind), read from a buffered body in place.</summary>
internal static class MultipartFields
{
    /// <summary>One value: its text, or <see cref="TooLong"/> when it is longer than asked for (then the text is cut).</summary>
    public readonly record struct Value(string Text, bool TooLong);

    /// <summary>The form's boundary, empty when the Content-Type names none; null when the body is not a multipart form.</summary>
    public static string? Boundary(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType) && mediaType.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
            ? HeaderUtilities.RemoveQuotes(mediaType.Boundary).ToString()
            : null;

    /// <returns>Every value of <paramref name="name"/> in order; null when the form is not well formed (or names no boundary).</returns>
    public static async ValueTask<List<Value>?> ReadAsync(ReadOnlyMemory<byte> body, string boundary, string name, int maxBytes, CancellationToken cancellationToken)
    {
        if (boundary.Length == 0)
        {
            return null;
        }

        var values = new List<Value>();
        try
        {
            var stream = MemoryMarshal.TryGetArray(body, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(body.ToArray(), writable: false);
            var reader = new MultipartReader(boundary, stream);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !HeaderUtilities.RemoveQuotes(disposition.Name).Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var value = new byte[maxBytes + 1];
                var length = await section.Body.ReadAtLeastAsync(value, value.Length, throwOnEndOfStream: false, cancellationToken);
                values.Add(new Value(Encoding.UTF8.GetString(value, 0, Math.Min(length, maxBytes)), length > maxBytes));
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return null;
        }

        return values;
    }
}
