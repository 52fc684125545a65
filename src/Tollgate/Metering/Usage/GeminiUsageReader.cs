using System.Text.Json;
using Tollgate.Metering.Costs;

namespace Tollgate.Metering.Usage;

/// <summary>
/// Gemini and Vertex AI <c>generateContent</c> / <c>streamGenerateContent</c>:
/// <c>usageMetadata.promptTokenCount</c> (cached content included; plus
/// <c>toolUsePromptTokenCount</c>), <c>candidatesTokenCount</c> and <c>thoughtsTokenCount</c>
/// (both output), <c>cachedContentTokenCount</c> (cache read); <c>modelVersion</c> names the model.
/// </summary>
/// <remarks>
/// Streamed chunks (SSE with <c>alt=sse</c>, else the items of one JSON array) repeat the usage
/// cumulatively: the last one counts, once (a count never goes down, so a chunk that leaves one out
/// does not undo it). Streamed usage is final once a chunk with a finish reason (or a prompt block
/// reason) has carried it.
/// </remarks>
internal sealed class GeminiUsageReader : UsageReader
{
    private readonly bool _streamed;
    private long _prompt;
    private long _toolUsePrompt;
    private long _candidates;
    private long _thoughts;
    private long _cached;
    private bool _finished;

    public GeminiUsageReader(bool streamed) => _streamed = streamed;

    public override UsageObjectPath StreamedUsageObject => UsageObjectPath.Gemini;

    public override void ReadJson(ReadOnlySpan<byte> json)
    {
        if (!_streamed || WorthParsing(json))
        {
            Read(json);
        }
    }

    public override void ReadEvent(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        if (JsonFields.LooksLikeObject(data) && WorthParsing(data))
        {
            Read(data);
        }
    }

    /// <summary>A chunk without usage or an end marker adds nothing once the model is known.</summary>
    private bool WorthParsing(ReadOnlySpan<byte> chunk) =>
        ResponseModel is null
        || JsonFields.MayHoldObject(chunk, "\"usageMetadata\""u8)
        || chunk.IndexOf("\"finishReason\""u8) >= 0
        || chunk.IndexOf("\"blockReason\""u8) >= 0;

    private void Read(ReadOnlySpan<byte> json)
    {
        var unit = new Unit { ModelKnown = ResponseModel is not null };
        if (!JsonFields.ReadObject(json, ref unit, ReadProperty))
        {
            return;
        }

        ResponseModel ??= unit.Model;
        _finished |= unit.Finished;
        if (!unit.UsageFound)
        {
            return;
        }

        _prompt = Math.Max(_prompt, unit.Prompt ?? 0);
        _toolUsePrompt = Math.Max(_toolUsePrompt, unit.ToolUsePrompt ?? 0);
        _candidates = Math.Max(_candidates, unit.Candidates ?? 0);
        _thoughts = Math.Max(_thoughts, unit.Thoughts ?? 0);
        _cached = Math.Max(_cached, unit.Cached ?? 0);

        Usage.InputTokens = _prompt + _toolUsePrompt;
        Usage.OutputTokens = _candidates + _thoughts;
        Usage.CacheReadInputTokens = _cached;
        Usage.ReasoningTokens = _thoughts;
        if (!_streamed || _finished)
        {
            Usage.Reported = true;
        }
    }

    private static void ReadProperty(ref Utf8JsonReader reader, ref Unit unit)
    {
        if (reader.ValueTextEquals("usageMetadata"u8))
        {
            unit.UsageFound |= JsonFields.ReadObjectValue(ref reader, ref unit, ReadUsageProperty);
        }
        else if (reader.ValueTextEquals("modelVersion"u8) && !unit.ModelKnown)
        {
            unit.Model = JsonFields.ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("candidates"u8))
        {
            // A candidate with a finish reason ends the stream.
            JsonFields.ReadObjectArray(ref reader, ref unit.Finished, static (ref reader, ref finished) => ReadReason(ref reader, ref finished, "finishReason"u8));
        }
        else if (reader.ValueTextEquals("promptFeedback"u8))
        {
            // So does a blocked prompt: no candidates follow.
            JsonFields.ReadObjectValue(ref reader, ref unit.Finished, static (ref reader, ref finished) => ReadReason(ref reader, ref finished, "blockReason"u8));
        }
        else
        {
            JsonFields.SkipValue(ref reader);
        }
    }

    private static void ReadUsageProperty(ref Utf8JsonReader reader, ref Unit unit)
    {
        if (reader.ValueTextEquals("promptTokenCount"u8))
        {
            unit.Prompt = JsonFields.ReadCount(ref reader);
        }
        else if (reader.ValueTextEquals("candidatesTokenCount"u8))
        {
            unit.Candidates = JsonFields.ReadCount(ref reader);
        }
        else if (reader.ValueTextEquals("thoughtsTokenCount"u8))
        {
            unit.Thoughts = JsonFields.ReadCount(ref reader);
        }
        else if (reader.ValueTextEquals("cachedContentTokenCount"u8))
        {
            unit.Cached = JsonFields.ReadCount(ref reader);
        }
        else if (reader.ValueTextEquals("toolUsePromptTokenCount"u8))
        {
            unit.ToolUsePrompt = JsonFields.ReadCount(ref reader);
        }
        else
        {
            JsonFields.SkipValue(ref reader);
        }
    }

    private static void ReadReason(ref Utf8JsonReader reader, ref bool finished, ReadOnlySpan<byte> name)
    {
        if (reader.ValueTextEquals(name))
        {
            finished |= JsonFields.ReadNonEmptyString(ref reader);
        }
        else
        {
            JsonFields.SkipValue(ref reader);
        }
    }

    /// <summary>What one chunk or body says.</summary>
    private struct Unit
    {
        public bool UsageFound;
        public long? Prompt;
        public long? ToolUsePrompt;
        public long? Candidates;
        public long? Thoughts;
        public long? Cached;
        public bool Finished;
        public string? Model;
        public bool ModelKnown;
    }
}
