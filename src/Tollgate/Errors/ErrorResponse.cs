using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Errors;

/// <summary>
/// Writes gateway-made errors in the contract's shape:
/// <c>{"error":{"message":…,"type":…,"param":null,"code":"&lt;status&gt;"}}</c>. Messages never carry secrets.
/// </summary>
internal static class ErrorResponse
{
    /// <summary>Where the error's <c>type</c> is left in <c>HttpContext.Items</c> for the spend row.</summary>
    public const string ErrorTypeItem = "tollgate.error_type";

    /// <param name="context">The request being answered.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="type">One of <see cref="ErrorTypes"/>.</param>
    /// <param name="message">Says what to fix; never holds a key or credential.</param>
    /// <param name="header">One response header the status calls for (<c>Allow</c> on 405, <c>Retry-After</c> on 429).</param>
    public static async Task WriteAsync(HttpContext context, int statusCode, string type, string message, KeyValuePair<string, string>? header = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            // Too late for a status line: abort so a cut response never looks complete.
            context.Abort();
            return;
        }

        // The forwarder may have cleared the response after a failure; the trace identifier is the call id.
        response.Clear();
        response.Headers[Hosting.CallIdMiddleware.HeaderName] = context.TraceIdentifier;
        GatewayJson.AddNoSniff(response);

        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        context.Items[ErrorTypeItem] = type;
        if (header is { } extra)
        {
            response.Headers[extra.Key] = extra.Value;
        }

        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json, GatewayJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", type);
            writer.WriteNull("param");
            writer.WriteString("code", statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        GatewayJson.CopyHtmlSafe(json.WrittenSpan, response.BodyWriter);
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
