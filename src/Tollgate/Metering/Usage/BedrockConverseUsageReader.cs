using System.Text.Json;

namespace Tollgate.Metering.Usage;

/// <summary>
/// Bedrock Converse: the body's <c>usage</c> (<c>inputTokens</c>, <c>outputTokens</c>,
/// <c>cacheReadInputTokens</c>, <c>cacheWriteInputTokens</c>; input excludes the cached part, which
/// is added back), and for ConverseStream the same object in the <c>metadata</c> event's payload.
/// Every other event is skipped by its <c>:event-type</c>, unparsed. Converse names no model.
/// </summary>
internal sealed class BedrockConverseUsageReader : UsageReader
{
    public override void ReadJson(ReadOnlySpan<byte> json) => Read(json);

    public override void ReadEvent(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        if (name.IsEmpty ? JsonFields.MayHoldObject(data, "\"usage\""u8) : name.SequenceEqual("metadata"u8))
        {
            Read(data);
        }
    }

    private void Read(ReadOnlySpan<byte> json)
    {
        TokenCounts? usage = null;
        if (JsonFields.ReadObject(json, ref usage, ReadProperty) && usage is { HasAny: true } counts)
        {
            counts.ApplyTo(Usage);
            Usage.Reported = true;
        }
    }

    private static void ReadProperty(ref Utf8JsonReader reader, ref TokenCounts? usage)
    {
        if (!reader.ValueTextEquals("usage"u8))
        {
            JsonFields.SkipValue(ref reader);
        }
        else if (JsonFields.EnterObject(ref reader))
        {
            usage = TokenCounts.ReadUsageObject(ref reader);
        }
    }
}
