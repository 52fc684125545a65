namespace Tollgate.Spend;

/// <summary>Receives a spend row's values in the INSERT's column order (<see cref="SpendLogColumns.Write"/>).</summary>
internal interface ISpendColumnSink
{
    void Text(string? value);

    void Integer(long? value);

    void Integer(int value);

    void Flag(bool value);

    void Money(decimal value);
}

/// <summary>The one place that lists a spend row's columns in order, for every way the row is written.</summary>
internal static class SpendLogColumns
{
    public const string Names =
        "request_id, call_type, api_key, key_alias, route, custom_llm_provider, api_base, model, prompt_tokens, completion_tokens, "
        + "total_tokens, cache_read_input_tokens, cache_creation_input_tokens, spend, request_tags, metadata, status, status_code, "
        + "stream, start_time, end_time, completion_start_time, requester_ip_address, usage_estimated";

    /// <summary>Hands the row's values to <paramref name="sink"/> in <see cref="Names"/> order.</summary>
    public static void Write<TSink>(SpendLogRow row, ref TSink sink)
        where TSink : struct, ISpendColumnSink
    {
        sink.Text(row.RequestId);
        sink.Text(row.CallType);
        sink.Text(row.ApiKey);
        sink.Text(row.KeyAlias);
        sink.Text(row.Route);
        sink.Text(row.CustomLlmProvider);
        sink.Text(row.ApiBase);
        sink.Text(row.Model);
        sink.Integer(row.PromptTokens);
        sink.Integer(row.CompletionTokens);
        sink.Integer(row.TotalTokens);
        sink.Integer(row.CacheReadInputTokens);
        sink.Integer(row.CacheCreationInputTokens);
        sink.Money(row.Spend);
        sink.Text(SpendLogRepository.TagsJson(row.RequestTags));
        sink.Text(row.MetadataJson);
        sink.Text(row.Status);
        sink.Integer(row.StatusCode);
        sink.Flag(row.Stream);
        sink.Integer(row.StartTime.ToUnixTimeMilliseconds());
        sink.Integer(row.EndTime.ToUnixTimeMilliseconds());
        sink.Integer(row.CompletionStartTime?.ToUnixTimeMilliseconds());
        sink.Text(row.RequesterIpAddress);
        sink.Flag(row.UsageEstimated);
    }
}
