namespace Tollgate.Metering;

/// <summary>
/// The tokens one call used, as the provider reported them or as far as they were seen. Input counts
/// every input token, cached ones included (contract section 9): for Anthropic that is
/// <c>input_tokens + cache_read_input_tokens + cache_creation_input_tokens</c>.
/// </summary>
internal sealed class TokenUsage
{
    /// <summary>Every input token, cached ones included (<c>prompt_tokens</c> in the spend row).</summary>
    public long InputTokens { get; set; }

    /// <summary>Every output token, reasoning ones included (<c>completion_tokens</c>).</summary>
    public long OutputTokens { get; set; }

    /// <summary>How many of <see cref="InputTokens"/> were read from the provider's prompt cache.</summary>
    public long CacheReadInputTokens { get; set; }

    /// <summary>How many of <see cref="InputTokens"/> were written to the cache (all lifetimes).</summary>
    public long CacheCreationInputTokens { get; set; }

    /// <summary>The part of <see cref="CacheCreationInputTokens"/> written with a one-hour lifetime (Anthropic); the rest is five-minute.</summary>
    public long CacheCreation1hInputTokens { get; set; }

    /// <summary>How many of <see cref="OutputTokens"/> were reasoning ("thinking") tokens; informative.</summary>
    public long ReasoningTokens { get; set; }

    /// <summary>Search units Cohere billed a rerank (one query over up to 100 documents); each costs the model's per-query price.</summary>
    public long SearchUnits { get; set; }

    /// <summary>The provider's own final counts arrived; false means the numbers are what was seen before the stream ended.</summary>
    public bool Reported { get; set; }

    public long TotalTokens => InputTokens + OutputTokens;
}
