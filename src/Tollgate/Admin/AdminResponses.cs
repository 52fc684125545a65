using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.Errors;

namespace Tollgate.Admin;

/// <summary>How the admin API answers: JSON written straight to the response, errors in the contract's shape.</summary>
internal static class AdminResponses
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            write(writer);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static Task BadRequestAsync(HttpContext context, string message) =>
        ErrorResponse.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest, message);
}
