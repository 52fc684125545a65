using Tollgate.Spend;

namespace Tollgate.Benchmarks;

/// <summary>A typical streamed chat call's spend-log row, for the benchmarks that write rows.</summary>
internal static class BenchmarkRows
{
    public static SpendLogRow Row(string requestId)
    {
        var now = DateTimeOffset.UnixEpoch.AddYears(56);
        return new SpendLogRow
        {
            RequestId = requestId,
            ApiKey = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            Route = "/openai/v1/chat/completions",
            CustomLlmProvider = "openai",
            ApiBase = "api.openai.com",
            Model = "gpt-4o-mini",
            PromptTokens = 900,
            CompletionTokens = 120,
            TotalTokens = 1020,
            Spend = 0.000207m,
            RequestTags = ["team-a", "prod"],
            Status = "success",
            StatusCode = 200,
            Stream = true,
            StartTime = now,
            EndTime = now.AddMilliseconds(850),
            CompletionStartTime = now.AddMilliseconds(120),
        };
    }
}
