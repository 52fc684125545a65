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
    /// <summary>Answers <paramref name="failure"/> as <see cref="TryWriteAsync"/> does.</summary>
    public static async Task WriteAsync(HttpContext context, GatewayFailure failure) => await TryWriteAsync(context, failure);

    /// <summary>Answers <paramref name="failure"/> as its table entry says.</summary>
    /// <returns>Whether the error body was written: false when the answer had started (the connection is aborted
    /// then, so a cut response never looks complete) or the error has no body (499).</returns>
    public static async Task<bool> TryWriteAsync(HttpContext context, GatewayFailure failure)
    {
        var answer = GatewayErrors.Of(failure.Error);
        var response = context.Response;
        if (answer.Type is null)
        {
            if (!response.HasStarted)
            {
                response.StatusCode = answer.Status;
            }

            return false;
        }

        if (response.HasStarted)
        {
            context.Abort();
            return false;
        }

        // The forwarder may have cleared the response after a failure; the trace identifier is the call id.
        response.Clear();
        response.Headers[Hosting.CallIdMiddleware.HeaderName] = context.TraceIdentifier;
        GatewayJson.AddNoSniff(response);

        response.StatusCode = answer.Status;
        response.ContentType = "application/json";
        if (answer.RetryAfter is { } seconds)
        {
            response.Headers.RetryAfter = seconds;
        }

        if (failure.Header is { } extra)
        {
            response.Headers[extra.Key] = extra.Value;
        }

        await WriteBodyAsync(context, answer.Status, answer.Type, failure.Message);
        return true;
    }

    private static async Task WriteBodyAsync(HttpContext context, int statusCode, string type, string message)
    {
        var response = context.Response;
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
