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

        var payload = default(Payload);
        try
        {
            // The rest of the wrapper may be broken; a chunk already copied out still counts.
            JsonFields.ReadObject(data, ref payload, static (ref reader, ref payload) =>
            {
                if (!reader.ValueTextEquals("bytes"u8) || payload.Rented is not null)
                {
                    JsonFields.SkipValue(ref reader);
                    return;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                    return;
                }

                payload.Rented = ArrayPool<byte>.Shared.Rent(Math.Max(reader.ValueSpan.Length, 1));
                payload.Length = reader.ValueIsEscaped ? reader.CopyString(payload.Rented) : Copy(reader.ValueSpan, payload.Rented);
            });
            if (payload.Length > 0
                && Base64.DecodeFromUtf8InPlace(payload.Rented!.AsSpan(0, payload.Length), out var decoded) == OperationStatus.Done
                && WorthParsing(payload.Rented.AsSpan(0, decoded)))
            {
                Read(payload.Rented.AsSpan(0, decoded), streamed: true);
                Apply();
            }
        }
        finally
        {
            if (payload.Rented is not null)
            {
                ArrayPool<byte>.Shared.Return(payload.Rented);
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
        var unit = default(Unit);
        if (!JsonFields.ReadObject(json, ref unit, ReadProperty))
        {
            return;
        }

        ResponseModel ??= unit.Model;
        if (unit.Metrics is { HasAny: true } final)
        {
            _metrics = final;
        }

        if (!unit.Counts.HasAny)
        {
            return;
        }

        _body.Merge(unit.Counts);

        // Streamed family counts are final with Anthropic's message_delta, Nova's metadata, or a Llama/Titan chunk that stops.
        if (!streamed || (unit.TopUsage && unit.IsDelta) || unit.MetadataUsage || unit.Stopped)
        {
            _bodyFinal = true;
        }
    }

    private static void ReadProperty(ref Utf8JsonReader reader, ref Unit unit)
    {
        if (reader.ValueTextEquals("amazon-bedrock-invocationMetrics"u8))
        {
            if (JsonFields.EnterObject(ref reader))
            {
                unit.Metrics = TokenCounts.ReadUsageObject(ref reader);
            }
        }
        else if (reader.ValueTextEquals("usage"u8))
        {
            // Anthropic's message_delta and body, Nova's body.
            if (JsonFields.EnterObject(ref reader))
            {
                unit.Counts.Merge(TokenCounts.ReadUsageObject(ref reader));
                unit.TopUsage = true;
            }
        }
        else if (reader.ValueTextEquals("message"u8))
        {
            // Anthropic's message_start: message.usage (not final yet) and message.model.
            if (JsonFields.EnterObject(ref reader))
            {
                TokenCounts.ReadUsageAndModel(ref reader, ref unit.Counts, ref unit.Model);
            }
        }
        else if (reader.ValueTextEquals("metadata"u8))
        {
            // Nova's last stream chunk: metadata.usage.
            if (JsonFields.EnterObject(ref reader))
            {
                unit.MetadataUsage = TokenCounts.ReadUsageAndModel(ref reader, ref unit.Counts, ref unit.Model);
            }
        }
        else if (reader.ValueTextEquals("type"u8))
        {
            reader.Read();
            unit.IsDelta = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("message_delta"u8);
        }
        else if (reader.ValueTextEquals("model"u8) && unit.Model is null)
        {
            unit.Model = JsonFields.ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("prompt_token_count"u8) || reader.ValueTextEquals("inputTextTokenCount"u8))
        {
            unit.Counts.Merge(new TokenCounts { Input = JsonFields.ReadCount(ref reader) });
        }
        else if (reader.ValueTextEquals("generation_token_count"u8) || reader.ValueTextEquals("totalOutputTextTokenCount"u8))
        {
            unit.Counts.Merge(new TokenCounts { Output = JsonFields.ReadCount(ref reader) });
        }
        else if (reader.ValueTextEquals("results"u8))
        {
            // Titan text's results[].tokenCount, summed.
            long? output = null;
            JsonFields.ReadObjectArray(ref reader, ref output, static (ref reader, ref total) =>
            {
                if (!reader.ValueTextEquals("tokenCount"u8))
                {
                    JsonFields.SkipValue(ref reader);
                }
                else if (JsonFields.ReadCount(ref reader) is { } count)
                {
                    total = (total ?? 0) + count;
                }
            });
            unit.Counts.Merge(new TokenCounts { Output = output });
        }
        else if (reader.ValueTextEquals("stop_reason"u8) || reader.ValueTextEquals("completionReason"u8))
        {
            unit.Stopped = JsonFields.ReadNonEmptyString(ref reader);
        }
        else
        {
            JsonFields.SkipValue(ref reader);
        }
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

    /// <summary>What one body or stream chunk says.</summary>
    private struct Unit
    {
        public TokenCounts Counts;
        public TokenCounts? Metrics;
        public string? Model;
        public bool IsDelta;
        public bool TopUsage;
        public bool MetadataUsage;
        public bool Stopped;
    }

    /// <summary>A stream event's <c>{"bytes":"&lt;base64&gt;"}</c>, copied out into a pooled buffer.</summary>
    private struct Payload
    {
        public byte[]? Rented;
        public int Length;
    }
}
