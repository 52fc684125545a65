using System.Text.Json;
using Tollgate.Metering.Costs;

namespace Tollgate.Metering.Usage;

/// <summary>
/// Anthropic Messages (<c>/v1/messages</c>, and Claude on Vertex <c>rawPredict</c> /
/// <c>streamRawPredict</c>): <c>usage.input_tokens</c>, <c>output_tokens</c>,
/// <c>cache_read_input_tokens</c>, <c>cache_creation_input_tokens</c> and
/// <c>cache_creation.ephemeral_5m_input_tokens</c> / <c>ephemeral_1h_input_tokens</c>; input is
/// the sum of the first and the cache counts.
/// </summary>
/// <remarks>
/// Streamed, <c>message_start</c> carries <c>message.usage</c> (input and cache counts, a
/// placeholder output count) and <c>message_delta</c> the cumulative output count, sometimes with
/// the input and cache counts again: the two are merged (a count never goes down, see
/// <see cref="TokenCounts.Merge"/>), never added. The usage is final with <c>message_delta</c>.
/// Every other event (<c>content_block_delta</c> above all) is skipped by its SSE name, unparsed.
/// </remarks>
internal sealed class AnthropicUsageReader : UsageReader
{
    private TokenCounts _counts;

    public override UsageObjectPath StreamedUsageObject => UsageObjectPath.Anthropic;

    public override void ReadJson(ReadOnlySpan<byte> json) => Read(json);

    public override void ReadEvent(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        if (name.IsEmpty ? !JsonFields.MayHoldObject(data, "\"usage\""u8) : !(name.SequenceEqual("message_start"u8) || name.SequenceEqual("message_delta"u8)))
        {
            return;
        }

        Read(data);
    }

    private void Read(ReadOnlySpan<byte> json)
    {
        var unit = default(Unit);
        if (!JsonFields.ReadObject(json, ref unit, ReadProperty))
        {
            return;
        }

        var (messageUsage, topUsage, model) = (unit.MessageUsage, unit.TopUsage, unit.Model);
        ResponseModel ??= model;
        if (messageUsage is { } start)
        {
            _counts.Merge(start);
        }

        if (topUsage is { } usage)
        {
            _counts.Merge(usage);
        }

        if (messageUsage is not null || topUsage is not null)
        {
            _counts.ApplyTo(Usage);
        }

        // A body's usage, or message_delta's (the only event with a top-level usage), is the final one.
        if (topUsage is not null)
        {
            Usage.Reported = true;
        }
    }

    private static void ReadProperty(ref Utf8JsonReader reader, ref Unit unit)
    {
        if (reader.ValueTextEquals("usage"u8))
        {
            if (JsonFields.EnterObject(ref reader))
            {
                unit.TopUsage = TokenCounts.ReadUsageObject(ref reader);
            }
        }
        else if (reader.ValueTextEquals("model"u8) && unit.Model is null)
        {
            unit.Model = JsonFields.ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("message"u8))
        {
            var counts = default(TokenCounts);
            if (JsonFields.EnterObject(ref reader) && TokenCounts.ReadUsageAndModel(ref reader, ref counts, ref unit.Model))
            {
                unit.MessageUsage = counts;
            }
        }
        else
        {
            JsonFields.SkipValue(ref reader);
        }
    }

    /// <summary>What one event or body says: message_start's <c>message.usage</c>, a top-level <c>usage</c>, the model.</summary>
    private struct Unit
    {
        public TokenCounts? MessageUsage;
        public TokenCounts? TopUsage;
        public string? Model;
    }
}
