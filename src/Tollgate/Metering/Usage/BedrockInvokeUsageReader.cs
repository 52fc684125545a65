using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Tollgate.Metering.Usage;

/// <summary>
/// Bedrock InvokeModel and InvokeModelWithResponseStream, whose bodies are the model family's own.
/// In order of preference: the <c>x-amzn-bedrock-*-token-count</c> response headers (InvokeModel),
/// the <c>amazon-bedrock-invocationMetrics</c> object of the last stream chunk, then the family's
/// body: Anthropic (<c>usage</c>, <c>message_start</c> / <c>message_delta</c> as
/// <see cref="AnthropicUsageReader"/>), Meta Llama (<c>prompt_token_count</c>,
/// <c>generation_token_count</c>), Amazon Titan text (<c>inputTextTokenCount</c>,
/// <c>results[].tokenCount</c>, streamed <c>totalOutputTextTokenCount</c>) and Amazon Nova
/// (<c>usage.inputTokens</c>…, streamed <c>metadata.usage</c>).
/// </summary>
/// <remarks>
/// Stream events are <c>chunk</c> frames whose payload is <c>{"bytes":"&lt;base64&gt;"}</c>; the
/// bytes (the model's own stream chunk) are decoded in place into a pooled buffer. Bedrock's counts
/// (headers, invocation metrics) exclude cached input like Anthropic's, so they are totalled the
/// same way.
/// </remarks>
internal sealed class BedrockInvokeUsageReader : UsageReader
{
    private readonly TokenCounts _headers;
    private TokenCounts _metrics;
    private TokenCounts _body;
    private bool _bodyFinal;

    /// <param name="headers">The counts from the response headers (<see cref="TokenCounts.HasAny"/> false when absent).</param>
    public BedrockInvokeUsageReader(TokenCounts headers)
    {
        _headers = headers;
        Apply();
    }

    public override void ReadJson(ReadOnlySpan<byte> json)
    {
        Read(json, streamed: false);
        Apply();
    }

    public override void ReadEvent(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        if (!name.IsEmpty && !name.SequenceEqual("chunk"u8))
        {
            return;
        }

        byte[]? rented = null;
        try
        {
            var reader = JsonFields.CreateReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("bytes"u8))
                {
                    JsonFields.SkipValue(ref reader);
                    continue;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.String || rented is not null)
                {
                    reader.Skip();
                    continue;
                }

                rented = ArrayPool<byte>.Shared.Rent(Math.Max(reader.ValueSpan.Length, 1));
                var length = reader.ValueIsEscaped ? reader.CopyString(rented) : Copy(reader.ValueSpan, rented);
                if (Base64.DecodeFromUtf8InPlace(rented.AsSpan(0, length), out var decoded) != OperationStatus.Done)
                {
                    return;
                }

                var chunk = rented.AsSpan(0, decoded);
                if (WorthParsing(chunk))
                {
                    Read(chunk, streamed: true);
                    Apply();
                }
            }
        }
        catch (Exception e) when (JsonFields.IsUnreadable(e))
        {
            // A payload that is not the documented wrapper, or whose bytes are no text once unescaped: nothing to count.
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    /// <summary>Content deltas carry none of the fields read here; everything else is parsed.</summary>
    private bool WorthParsing(ReadOnlySpan<byte> chunk) =>
        (ResponseModel is null && chunk.IndexOf("\"model\""u8) >= 0)
        || chunk.IndexOf("\"usage\""u8) >= 0
        || chunk.IndexOf("invocationMetrics\""u8) >= 0
        || chunk.IndexOf("_token_count\""u8) >= 0
        || chunk.IndexOf("TokenCount\""u8) >= 0;

    private void Read(ReadOnlySpan<byte> json, bool streamed)
    {
        var counts = default(TokenCounts);
        TokenCounts? metrics = null;
        string? model = null;
        var isDelta = false;
        var topUsage = false;
        var metadataUsage = false;
        var stopped = false;
        try
        {
            var reader = JsonFields.CreateReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("amazon-bedrock-invocationMetrics"u8))
                {
                    if (JsonFields.EnterObject(ref reader))
                    {
                        metrics = TokenCounts.ReadUsageObject(ref reader);
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    // Anthropic's message_delta and body, Nova's body.
                    if (JsonFields.EnterObject(ref reader))
                    {
                        counts.Merge(TokenCounts.ReadUsageObject(ref reader));
                        topUsage = true;
                    }
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    // Anthropic's message_start: message.usage (not final yet) and message.model.
                    if (JsonFields.EnterObject(ref reader))
                    {
                        ReadNested(ref reader, ref counts, ref model);
                    }
                }
                else if (reader.ValueTextEquals("metadata"u8))
                {
                    // Nova's last stream chunk: metadata.usage.
                    if (JsonFields.EnterObject(ref reader))
                    {
                        metadataUsage = ReadNested(ref reader, ref counts, ref model);
                    }
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    isDelta = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("message_delta"u8);
                }
                else if (reader.ValueTextEquals("model"u8) && model is null)
                {
                    model = JsonFields.ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("prompt_token_count"u8) || reader.ValueTextEquals("inputTextTokenCount"u8))
                {
                    counts.Merge(new TokenCounts { Input = JsonFields.ReadCount(ref reader) });
                }
                else if (reader.ValueTextEquals("generation_token_count"u8) || reader.ValueTextEquals("totalOutputTextTokenCount"u8))
                {
                    counts.Merge(new TokenCounts { Output = JsonFields.ReadCount(ref reader) });
                }
                else if (reader.ValueTextEquals("results"u8))
                {
                    counts.Merge(new TokenCounts { Output = ReadTitanResults(ref reader) });
                }
                else if (reader.ValueTextEquals("stop_reason"u8) || reader.ValueTextEquals("completionReason"u8))
                {
                    stopped = JsonFields.ReadNonEmptyString(ref reader);
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            }
        }
        catch (Exception e) when (JsonFields.IsUnreadable(e))
        {
            return;
        }

        ResponseModel ??= model;
        if (metrics is { HasAny: true } final)
        {
            _metrics = final;
        }

        if (!counts.HasAny)
        {
            return;
        }

        _body.Merge(counts);

        // Streamed family counts are final with Anthropic's message_delta, Nova's metadata, or a Llama/Titan chunk that stops.
        if (!streamed || (topUsage && isDelta) || metadataUsage || stopped)
        {
            _bodyFinal = true;
        }
    }

    /// <summary>Reads <c>usage</c> and <c>model</c> inside <c>message</c> / <c>metadata</c>; true when usage was there.</summary>
    private static bool ReadNested(ref Utf8JsonReader reader, ref TokenCounts counts, ref string? model)
    {
        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("usage"u8))
            {
                if (JsonFields.EnterObject(ref reader))
                {
                    counts.Merge(TokenCounts.ReadUsageObject(ref reader));
                    found = true;
                }
            }
            else if (reader.ValueTextEquals("model"u8) && model is null)
            {
                model = JsonFields.ReadString(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return found;
    }

    /// <summary>Titan text's <c>results[].tokenCount</c>, summed; null when there is none.</summary>
    private static long? ReadTitanResults(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        long? total = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("tokenCount"u8))
                {
                    JsonFields.SkipValue(ref reader);
                }
                else if (JsonFields.ReadCount(ref reader) is { } count)
                {
                    total = (total ?? 0) + count;
                }
            }
        }

        return total;
    }

    /// <summary>Writes the preferred counts: headers, else invocation metrics, else the family body's.</summary>
    private void Apply()
    {
        TokenCounts chosen;
        bool final;
        if (_headers.HasAny)
        {
            (chosen, final) = (_headers, true);
        }
        else if (_metrics.HasAny)
        {
            (chosen, final) = (_metrics, true);
        }
        else if (_body.HasAny)
        {
            (chosen, final) = (_body, _bodyFinal);
        }
        else
        {
            return;
        }

        // Only Anthropic's body splits cache writes by lifetime; keep that split under the preferred totals.
        chosen.CacheCreation1h ??= _body.CacheCreation1h;
        chosen.ApplyTo(Usage);
        Usage.Reported |= final;
    }
}
