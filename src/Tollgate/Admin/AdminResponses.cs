using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.Errors;

namespace Tollgate.Admin;

/// <summary>How the admin API answers: JSON written as <see cref="GatewayJson"/> says, errors in the contract's shape.</summary>
internal static class AdminResponses
{
    public static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, GatewayJson.WriterOptions))
        {
            write(writer);
        }

        GatewayJson.CopyHtmlSafe(json.WrittenSpan, context.Response.BodyWriter);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static Task BadRequestAsync(HttpContext context, string message) =>
        ErrorResponse.WriteAsync(context, new GatewayFailure(GatewayError.InvalidRequest, message));
}
