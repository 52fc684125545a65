using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Errors;

/// <summary>
/// How the gateway writes the JSON it makes itself (errors, admin answers): readable quotes and Unicode
/// (the relaxed encoder), with <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> escaped so text a client sent
/// (a model, an alias, metadata) cannot become markup where an answer is shown, and <c>nosniff</c>.
/// </summary>
internal static class GatewayJson
{
    // Messages quote names ('openai', 'x-api-key'); the default encoder would turn quotes into \u0027.
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly SearchValues<byte> HtmlSignificant = SearchValues.Create("<>&"u8);

    /// <summary>
    /// Copies JSON to <paramref name="output"/> with <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> as <c>\u003C</c>,
    /// <c>\u003E</c>, <c>\u0026</c>. Outside strings JSON has none of them, and no byte of a multi-byte UTF-8
    /// character is ASCII, so every one found is a character inside a string and the escape means the same.
    /// </summary>
    public static void CopyHtmlSafe(ReadOnlySpan<byte> json, IBufferWriter<byte> output)
    {
        int next;
        while ((next = json.IndexOfAny(HtmlSignificant)) >= 0)
        {
            output.Write(json[..next]);
            output.Write(json[next] switch
            {
                (byte)'<' => "\\u003C"u8,
                (byte)'>' => "\\u003E"u8,
                _ => "\\u0026"u8,
            });
            json = json[(next + 1)..];
        }

        output.Write(json);
    }

    /// <summary>Tells browsers to trust the declared Content-Type rather than guess one from the body.</summary>
    public static void AddNoSniff(HttpResponse response) => response.Headers.XContentTypeOptions = "nosniff";
}
