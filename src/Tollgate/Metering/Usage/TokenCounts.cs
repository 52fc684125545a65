using System.Text.Json;

namespace Tollgate.Metering.Usage;

/// <summary>
/// Counts as Anthropic and Bedrock report them, before totalling: <see cref="Input"/> excludes the
/// cached input, which comes separately as cache reads and cache writes. Null means "not reported".
/// </summary>
internal struct TokenCounts
{
    public long? Input;
    public long? Output;
    public long? CacheRead;
    public long? CacheCreation;
    public long? CacheCreation5m;
    public long? CacheCreation1h;

    public readonly bool HasAny => Input.HasValue || Output.HasValue || CacheRead.HasValue || CacheCreation.HasValue;

    /// <summary>
    /// Reads a usage object (the reader on its start) in any of the spellings: Anthropic's
    /// (<c>input_tokens</c>, <c>cache_read_input_tokens</c>, <c>cache_creation_input_tokens</c>,
    /// <c>cache_creation.ephemeral_5m_input_tokens</c> / <c>ephemeral_1h_input_tokens</c>), Bedrock
    /// Converse's (<c>inputTokens</c>, <c>cacheReadInputTokens</c>, <c>cacheWriteInputTokens</c>) and
    /// Bedrock's invocation metrics and Nova's (<c>inputTokenCount</c>, <c>cacheReadInputTokenCount</c>,
    /// <c>cacheWriteInputTokenCount</c>).
    /// </summary>
    public static TokenCounts ReadUsageObject(ref Utf8JsonReader reader)
    {
        var counts = default(TokenCounts);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8) || reader.ValueTextEquals("inputTokens"u8) || reader.ValueTextEquals("inputTokenCount"u8))
            {
                counts.Input = JsonFields.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("output_tokens"u8) || reader.ValueTextEquals("outputTokens"u8) || reader.ValueTextEquals("outputTokenCount"u8))
            {
                counts.Output = JsonFields.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8) || reader.ValueTextEquals("cacheReadInputTokens"u8) || reader.ValueTextEquals("cacheReadInputTokenCount"u8))
            {
                counts.CacheRead = JsonFields.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8) || reader.ValueTextEquals("cacheWriteInputTokens"u8) || reader.ValueTextEquals("cacheWriteInputTokenCount"u8))
            {
                counts.CacheCreation = JsonFields.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("cache_creation"u8))
            {
                if (JsonFields.EnterObject(ref reader))
                {
                    ReadCacheCreation(ref reader, ref counts);
                }
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }

        return counts;
    }

    /// <summary>
    /// Reads <c>usage</c> and <c>model</c> inside an object (the reader on its start): Anthropic's <c>message</c>
    /// (message_start), Nova's <c>metadata</c>. The usage merges into <paramref name="counts"/>; the model is kept
    /// only when none is known yet.
    /// </summary>
    /// <returns>Whether a usage object was there.</returns>
    public static bool ReadUsageAndModel(ref Utf8JsonReader reader, ref TokenCounts counts, ref string? model)
    {
        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("usage"u8))
            {
                if (JsonFields.EnterObject(ref reader))
                {
                    counts.Merge(ReadUsageObject(ref reader));
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

    /// <summary>
    /// Takes a later report of the same cumulative counts (Anthropic's <c>message_delta</c> after
    /// <c>message_start</c>): a count never goes down, and one the later report leaves out (or null)
    /// stays as it was, so nothing is counted twice.
    /// </summary>
    public void Merge(in TokenCounts later)
    {
        Input = Max(Input, later.Input);
        Output = Max(Output, later.Output);
        CacheRead = Max(CacheRead, later.CacheRead);
        CacheCreation = Max(CacheCreation, later.CacheCreation);
        CacheCreation5m = Max(CacheCreation5m, later.CacheCreation5m);
        CacheCreation1h = Max(CacheCreation1h, later.CacheCreation1h);
    }

    /// <summary>Writes the totals: every input token, cached ones included (contract section 9).</summary>
    public readonly void ApplyTo(TokenUsage usage)
    {
        var creation = CacheCreation ?? ((CacheCreation5m ?? 0) + (CacheCreation1h ?? 0));
        usage.InputTokens = (Input ?? 0) + (CacheRead ?? 0) + creation;
        usage.OutputTokens = Output ?? 0;
        usage.CacheReadInputTokens = CacheRead ?? 0;
        usage.CacheCreationInputTokens = creation;
        usage.CacheCreation1hInputTokens = Math.Min(CacheCreation1h ?? 0, creation);
    }

    private static void ReadCacheCreation(ref Utf8JsonReader reader, ref TokenCounts counts)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ephemeral_5m_input_tokens"u8))
            {
                counts.CacheCreation5m = JsonFields.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("ephemeral_1h_input_tokens"u8))
            {
                counts.CacheCreation1h = JsonFields.ReadCount(ref reader);
            }
            else
            {
                JsonFields.SkipValue(ref reader);
            }
        }
    }

    private static long? Max(long? earlier, long? later) =>
        later is null ? earlier : earlier is null ? later : Math.Max(earlier.Value, later.Value);
}
