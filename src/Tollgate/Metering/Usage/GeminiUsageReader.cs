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
        var usageFound = false;
        long? prompt = null, toolUsePrompt = null, candidates = null, thoughts = null, cached = null;
        var finished = false;
        string? model = null;
        try
        {
            var reader = JsonFields.CreateReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("usageMetadata"u8))
                {
                    if (!JsonFields.EnterObject(ref reader))
                    {
                        continue;
                    }

                    usageFound = true;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("promptTokenCount"u8))
                        {
                            prompt = JsonFields.ReadCount(ref reader);
                        }
                        else if (reader.ValueTextEquals("candidatesTokenCount"u8))
                        {
                            candidates = JsonFields.ReadCount(ref reader);
                        }
                        else if (reader.ValueTextEquals("thoughtsTokenCount"u8))
                        {
                            thoughts = JsonFields.ReadCount(ref reader);
                        }
                        else if (reader.ValueTextEquals("cachedContentTokenCount"u8))
                        {
                            cached = JsonFields.ReadCount(ref reader);
                        }
                        else if (reader.ValueTextEquals("toolUsePromptTokenCount"u8))
                        {
                            toolUsePrompt = JsonFields.ReadCount(ref reader);
                        }
                        else
                        {
                            JsonFields.SkipValue(ref reader);
                        }
                    }
                }
                else if (reader.ValueTextEquals("modelVersion"u8) && ResponseModel is null)
                {
                    model = JsonFields.ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("candidates"u8))
                {
                    finished |= ReadCandidates(ref reader);
                }
                else if (reader.ValueTextEquals("promptFeedback"u8))
                {
                    finished |= ReadPromptFeedback(ref reader);
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
        _finished |= finished;
        if (!usageFound)
        {
            return;
        }

        _prompt = Math.Max(_prompt, prompt ?? 0);
        _toolUsePrompt = Math.Max(_toolUsePrompt, toolUsePrompt ?? 0);
        _candidates = Math.Max(_candidates, candidates ?? 0);
        _thoughts = Math.Max(_thoughts, thoughts ?? 0);
        _cached = Math.Max(_cached, cached ?? 0);

        Usage.InputTokens = _prompt + _toolUsePrompt;
        Usage.OutputTokens = _candidates + _thoughts;
        Usage.CacheReadInputTokens = _cached;
        Usage.ReasoningTokens = _thoughts;
        if (!_streamed || _finished)
        {
            Usage.Reported = true;
        }
    }

    /// <summary>True when a candidate has a finish reason.</summary>
    private static bool ReadCandidates(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return false;
        }

        var finished = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("finishReason"u8))
                {
                    finished |= JsonFields.ReadNonEmptyString(ref reader);
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            }
        }

        return finished;
    }

    /// <summary>True when the prompt was blocked (no candidates follow).</summary>
    private static bool ReadPromptFeedback(ref Utf8JsonReader reader)
    {
        if (!JsonFields.EnterObject(ref reader))
        {
            return false;
        }

        var blocked = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("blockReason"u8))
            {
                blocked |= JsonFields.ReadNonEmptyString(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return blocked;
    }
}
