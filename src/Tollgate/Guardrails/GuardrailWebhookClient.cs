using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tollgate.Guardrails;

/// <summary>
/// Asks a webhook guardrail about a request's or an answer's texts: POSTs
/// <c>{"guardrail": name, "mode": "pre_call" | "post_call", "call_id": id, "texts": [...]}</c>
/// and reads <c>{"action": "allow" | "block" | "mask", "texts": [...], "category": "..."}</c>. One connection pool
/// for every webhook, made once; each call is bounded by the guardrail's <c>timeout_ms</c>.
/// </summary>
internal sealed class GuardrailWebhookClient(TimeProvider time) : IDisposable
{
    /// <summary>The largest answer read; a bigger one is an invalid answer.</summary>
    private const int MaxAnswerBytes = 16 * 1024 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    });

    /// <param name="guardrail">A webhook guardrail.</param>
    /// <param name="texts">The request's texts.</param>
    /// <param name="selected">Indexes of the texts this guardrail examines, in order.</param>
    /// <param name="callId">The call id, so the service can correlate.</param>
    /// <param name="aborted">The client's abort token.</param>
    public async Task<WebhookVerdict> CheckAsync(
        Guardrail guardrail, GuardrailTexts texts, List<int> selected, string callId, CancellationToken aborted)
    {
        using var timeout = new CancellationTokenSource(guardrail.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, guardrail.WebhookUrl)
        {
            Content = new ByteArrayContent(Payload(guardrail.Name, guardrail.Mode, callId, texts, selected)),
        };
        request.Content.Headers.ContentType = Json;
        foreach (var (name, value) in guardrail.WebhookHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await _invoker.SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                return WebhookVerdict.Failure(new(UndecidedReason.WebhookStatus, (int)response.StatusCode));
            }

            var answer = await ReadLimitedAsync(response.Content, linked.Token);
            return answer is null ? WebhookVerdict.Failure(new(UndecidedReason.InvalidAnswer)) : Parse(answer, selected.Count);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return new WebhookVerdict(WebhookVerdict.Outcome.ClientAborted);
        }
        catch (OperationCanceledException)
        {
            return WebhookVerdict.Failure(new(UndecidedReason.Timeout));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return WebhookVerdict.Failure(new(UndecidedReason.Unreachable));
        }
    }

    public void Dispose() => _invoker.Dispose();

    private static byte[] Payload(string name, GuardrailMode mode, string callId, GuardrailTexts texts, List<int> selected)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("guardrail", name);
            writer.WriteString("mode", mode == GuardrailMode.PostCall ? "post_call" : "pre_call");
            writer.WriteString("call_id", callId);
            writer.WriteStartArray("texts");
            foreach (var index in selected)
            {
                writer.WriteStringValue(texts.Text(index));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<byte[]?> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxAnswerBytes)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxAnswerBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private static WebhookVerdict Parse(byte[] answer, int sent)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("action", out var actionElement) || actionElement.ValueKind != JsonValueKind.String)
            {
                return WebhookVerdict.Failure(new(UndecidedReason.InvalidAnswer));
            }

            var category = root.TryGetProperty("category", out var categoryElement) && categoryElement.ValueKind == JsonValueKind.String
                ? Category(categoryElement.GetString()!)
                : "webhook";
            switch (actionElement.GetString())
            {
                case "allow":
                    return new WebhookVerdict(WebhookVerdict.Outcome.Allow);
                case "block":
                    return new WebhookVerdict(WebhookVerdict.Outcome.Block, category);
                case "mask":
                    if (!root.TryGetProperty("texts", out var textsElement) || textsElement.ValueKind != JsonValueKind.Array
                        || textsElement.GetArrayLength() != sent || textsElement.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
                    {
                        // Replacing texts one for one needs exactly one string per text sent.
                        return WebhookVerdict.Failure(new(UndecidedReason.InvalidAnswer));
                    }

                    return new WebhookVerdict(WebhookVerdict.Outcome.Mask, category, [.. textsElement.EnumerateArray().Select(t => t.GetString()!)]);
                default:
                    return WebhookVerdict.Failure(new(UndecidedReason.InvalidAnswer));
            }
        }
        catch (JsonException)
        {
            return WebhookVerdict.Failure(new(UndecidedReason.InvalidAnswer));
        }
    }

    /// <summary>The webhook's category goes into the client's error message and the log row: keep it a short label.</summary>
    private static string Category(string text) =>
        text.Length is > 0 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ' ') ? text : "webhook";
}
