using System.Text.Json;
using Tollgate.Metering.Costs;

namespace Tollgate.Metering.Usage;

/// <summary>
/// OpenAI's shapes, which Azure OpenAI, Mistral, vLLM and the OpenAI-compatible endpoints of other
/// providers share. Chat and text completions and embeddings: <c>usage.prompt_tokens</c>,
/// <c>completion_tokens</c>, <c>prompt_tokens_details.cached_tokens</c>,
/// <c>completion_tokens_details.reasoning_tokens</c>. Responses API, transcriptions, images and
/// AssemblyAI LeMUR: <c>usage.input_tokens</c>, <c>output_tokens</c>,
/// <c>input_tokens_details.cached_tokens</c>, <c>output_tokens_details.reasoning_tokens</c>.
/// </summary>
/// <remarks>
/// Streamed chat completions carry usage on one chunk (<c>stream_options.include_usage</c>; always
/// for Mistral; on every chunk, cumulatively, with vLLM's continuous usage stats): the last usage
/// seen counts, and it is final when its chunk has no choices (OpenAI, vLLM) or a finish reason
/// (Mistral). Streamed Responses API usage is <c>response.usage</c> of <c>response.completed</c>
/// (or <c>.incomplete</c> / <c>.failed</c>). Once the model is known only events with a
/// <c>"usage":{</c> are parsed; the text deltas in between are skipped unparsed.
/// </remarks>
internal sealed class OpenAiUsageReader : UsageReader
{
    // Every OpenAI-shaped stream names the model on its first chunk (Azure: its second, after the
    // prompt filter results); past a few events without one, only usage events are parsed.
    private const int EventsToFindModel = 3;

    private int _eventsRead;

    public override UsageObjectPath StreamedUsageObject => UsageObjectPath.OpenAi;

    public override void ReadJson(ReadOnlySpan<byte> json) => Read(json, streamed: false);

    public override void ReadEvent(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data)
    {
        // [DONE] and anything else that is not an object carries nothing.
        if (!JsonFields.LooksLikeObject(data))
        {
            return;
        }

        var lookForModel = ResponseModel is null && _eventsRead < EventsToFindModel;
        if (!lookForModel && !JsonFields.MayHoldObject(data, "\"usage\""u8))
        {
            return;
        }

        _eventsRead++;
        Read(data, streamed: true);
    }

    private void Read(ReadOnlySpan<byte> json, bool streamed)
    {
        var unit = new Unit { Final = !streamed, Choices = -1, ModelKnown = ResponseModel is not null };
        if (!JsonFields.ReadObject(json, ref unit, ReadProperty))
        {
            return;
        }

        ResponseModel ??= unit.Model;
        if (!unit.UsageFound)
        {
            return;
        }

        unit.Counts.ApplyTo(Usage);
        if (unit.Final || unit.Choices <= 0 || unit.Finished)
        {
            Usage.Reported = true;
        }
    }

    private static void ReadProperty(ref Utf8JsonReader reader, ref Unit unit)
    {
        if (reader.ValueTextEquals("usage"u8))
        {
            ReadUsageValue(ref reader, ref unit);
        }
        else if (reader.ValueTextEquals("model"u8))
        {
            unit.Model = unit.ModelKnown ? Skip(ref reader) : JsonFields.ReadString(ref reader);
        }
        else if (reader.ValueTextEquals("choices"u8))
        {
            // Counts the choices and notes whether any has a finish reason.
            unit.Choices = JsonFields.ReadObjectArray(ref reader, ref unit.Finished, static (ref reader, ref finished) =>
            {
                if (reader.ValueTextEquals("finish_reason"u8))
                {
                    finished |= JsonFields.ReadNonEmptyString(ref reader);
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            });
        }
        else if (reader.ValueTextEquals("response"u8))
        {
            // Responses API stream events wrap the response object; its usage is final when not null.
            JsonFields.ReadObjectValue(ref reader, ref unit, ReadResponseProperty);
        }
        else
        {
            JsonFields.SkipValue(ref reader);
        }
    }

    /// <summary>A Responses API object's model and usage.</summary>
    private static void ReadResponseProperty(ref Utf8JsonReader reader, ref Unit unit)
    {
        if (reader.ValueTextEquals("usage"u8))
        {
            if (ReadUsageValue(ref reader, ref unit))
            {
                unit.Final = true;
            }
        }
        else if (reader.ValueTextEquals("model"u8) && !unit.ModelKnown && unit.Model is null)
        {
            unit.Model = JsonFields.ReadString(ref reader);
        }
        else
        {
            JsonFields.SkipValue(ref reader);
        }
    }

    private static bool ReadUsageValue(ref Utf8JsonReader reader, ref Unit unit)
    {
        if (!JsonFields.EnterObject(ref reader))
        {
            return false;
        }

        ReadUsage(ref reader, ref unit.Counts);
        unit.UsageFound = true;
        return true;
    }

    private static void ReadUsage(ref Utf8JsonReader reader, ref Counts counts)
    {
        counts = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8))
            {
                counts.Input = JsonFields.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8))
            {
                counts.Output = JsonFields.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8) || reader.ValueTextEquals("input_tokens_details"u8))
            {
                if (JsonFields.EnterObject(ref reader))
                {
                    counts.Cached = ReadDetail(ref reader, "cached_tokens"u8) ?? counts.Cached;
                }
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8) || reader.ValueTextEquals("output_tokens_details"u8))
            {
                if (JsonFields.EnterObject(ref reader))
                {
                    counts.Reasoning = ReadDetail(ref reader, "reasoning_tokens"u8) ?? counts.Reasoning;
                }
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }
    }

    private static long? ReadDetail(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        long? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                value = JsonFields.ReadCount(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return value;
    }

    private static string? Skip(ref Utf8JsonReader reader)
    {
        JsonFields.SkipValue(ref reader);
        return null;
    }

    /// <summary>What one chunk or body says.</summary>
    private struct Unit
    {
        public Counts Counts;
        public bool UsageFound;
        public bool Final;
        public int Choices;
        public bool Finished;
        public string? Model;
        public bool ModelKnown;
    }

    private struct Counts
    {
        public long? Input;
        public long? Output;
        public long? Cached;
        public long? Reasoning;

        public readonly void ApplyTo(TokenUsage usage)
        {
            usage.InputTokens = Input ?? 0;
            usage.OutputTokens = Output ?? 0;
            usage.CacheReadInputTokens = Cached ?? 0;
            usage.ReasoningTokens = Reasoning ?? 0;
        }
    }
}
