namespace Tollgate.Spend;

/// <summary>One call's spend-log row (contract section 9). Never holds a key in clear: <see cref="ApiKey"/> is its SHA-256 hex.</summary>
internal sealed record SpendLogRow
{
    public required string RequestId { get; init; }

    public string CallType { get; init; } = "pass_through_endpoint";

    /// <summary>SHA-256 hex of the virtual key, or empty for an open route.</summary>
    public string ApiKey { get; init; } = "";

    public string? KeyAlias { get; init; }

    /// <summary>The client's path, e.g. <c>/openai/v1/chat/completions</c> (no query).</summary>
    public required string Route { get; init; }

    public required string CustomLlmProvider { get; init; }

    /// <summary>The upstream host (no credentials, no path).</summary>
    public string ApiBase { get; init; } = "";

    public string? Model { get; init; }

    public long PromptTokens { get; init; }

    public long CompletionTokens { get; init; }

    public long TotalTokens { get; init; }

    public long CacheReadInputTokens { get; init; }

    public long CacheCreationInputTokens { get; init; }

    /// <summary>USD.</summary>
    public decimal Spend { get; init; }

    public IReadOnlyList<string> RequestTags { get; init; } = [];

    /// <summary>A JSON object.</summary>
    public string MetadataJson { get; init; } = "{}";

    /// <summary><c>success</c> or <c>failure</c>.</summary>
    public required string Status { get; init; }

    public int StatusCode { get; init; }

    public bool Stream { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public required DateTimeOffset EndTime { get; init; }

    /// <summary>When the first response byte went to the client; null when none did.</summary>
    public DateTimeOffset? CompletionStartTime { get; init; }

    public string? RequesterIpAddress { get; init; }

    /// <summary>The provider's own counts never came (the stream broke): the tokens are as far as seen.</summary>
    public bool UsageEstimated { get; init; }

    /// <summary>The cost was counted against the key's budget the moment the call ended (<see cref="Keys.KeySpendLedger"/>); not kept in the spill file.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ChargedHere { get; init; }

    /// <summary>The journal segment the row was appended to, until the row is in the database or the spill file.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public SpendJournal.Segment? Journal { get; set; }
}
