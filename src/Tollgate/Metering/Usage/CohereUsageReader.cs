using System.Text.Json;

namespace Tollgate.Metering.Usage;

/// <summary>
/// Cohere: v2 chat <c>usage.billed_units.input_tokens</c> / <c>output_tokens</c> (else
/// <c>usage.tokens</c>), streamed in the <c>message-end</c> event's <c>delta.usage</c>; v1 chat,
/// generate, embed and rerank <c>meta.billed_units</c> (else <c>meta.tokens</c>), streamed as JSON
/// lines whose <c>stream-end</c> item has <c>response.meta</c>. Billed units are preferred: they are
/// what Cohere charges for. A rerank's billed <c>search_units</c> are kept apart from tokens; pricing
/// charges the model's per-query price for each.
/// </summary>
internal sealed class CohereUsageReader : UsageReader
{
    public override void ReadJson(ReadOnlySpan<byte> json)
    {
        if (JsonFields.MayHoldObject(json, "\"usage\""u8) || JsonFields.MayHoldObject(json, "\"meta\""u8))
        {
            Read(json);
        }
    }

    public override void ReadEvent(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        if (name.IsEmpty ? JsonFields.MayHoldObject(data, "\"usage\""u8) : name.SequenceEqual("message-end"u8))
        {
            Read(data);
        }
    }

    private void Read(ReadOnlySpan<byte> json)
    {
        var counts = default(Counts);
        if (!JsonFields.ReadObject(json, ref counts, ReadTopProperty))
        {
            return;
        }

        var input = counts.BilledInput ?? counts.Input;
        var output = counts.BilledOutput ?? counts.Output;
        if (input is null && output is null && counts.SearchUnits is null)
        {
            return;
        }

        Usage.InputTokens = input ?? 0;
        Usage.OutputTokens = output ?? 0;
        Usage.SearchUnits = counts.SearchUnits ?? 0;
        Usage.Reported = true;
    }

    /// <summary>
    /// <c>usage</c> / <c>meta</c> at the top level, or one level down in <c>delta</c> (v2 <c>message-end</c>) and
    /// <c>response</c> (v1 <c>stream-end</c>).
    /// </summary>
    private static void ReadTopProperty(ref Utf8JsonReader reader, ref Counts counts)
    {
        if (reader.ValueTextEquals("delta"u8) || reader.ValueTextEquals("response"u8))
        {
            JsonFields.ReadObjectValue(ref reader, ref counts, ReadUsageProperty);
        }
        else
        {
            ReadUsageProperty(ref reader, ref counts);
        }
    }

    private static void ReadUsageProperty(ref Utf8JsonReader reader, ref Counts counts)
    {
        if (reader.ValueTextEquals("usage"u8) || reader.ValueTextEquals("meta"u8))
        {
            if (JsonFields.EnterObject(ref reader))
            {
                ReadUsage(ref reader, ref counts);
            }
        }
        else
        {
            JsonFields.SkipValue(ref reader);
        }
    }

    private static void ReadUsage(ref Utf8JsonReader reader, ref Counts counts)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var billed = reader.ValueTextEquals("billed_units"u8);
            if (!billed && !reader.ValueTextEquals("tokens"u8))
            {
                JsonFields.SkipValue(ref reader);
                continue;
            }

            if (!JsonFields.EnterObject(ref reader))
            {
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("input_tokens"u8))
                {
                    var value = JsonFields.ReadCount(ref reader);
                    if (billed)
                    {
                        counts.BilledInput = value;
                    }
                    else
                    {
                        counts.Input = value;
                    }
                }
                else if (billed && reader.ValueTextEquals("search_units"u8))
                {
                    counts.SearchUnits = JsonFields.ReadCount(ref reader);
                }
                else if (reader.ValueTextEquals("output_tokens"u8))
                {
                    var value = JsonFields.ReadCount(ref reader);
                    if (billed)
                    {
                        counts.BilledOutput = value;
                    }
                    else
                    {
                        counts.Output = value;
                    }
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            }
        }
    }

    private struct Counts
    {
        public long? BilledInput;
        public long? BilledOutput;
        public long? Input;
        public long? Output;
        public long? SearchUnits;
    }
}
