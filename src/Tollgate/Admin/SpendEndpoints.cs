using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tollgate.Errors;
using Tollgate.Spend;

namespace Tollgate.Admin;

/// <summary><c>GET /spend/logs</c> and <c>GET /spend/tags</c> (contract section 8), master key only.</summary>
internal static class SpendEndpoints
{
    private const int MaxRows = 1000;
    private const string DateFormats = "use YYYY-MM-DD or an ISO 8601 time (2026-11-25T10:00:00Z).";

    public static void MapSpendAdmin(this IEndpointRouteBuilder app)
    {
        var spend = app.MapGroup("/spend").AddEndpointFilter(AdminAuthentication.RequireMasterKeyAsync);
        spend.MapGet("/logs", LogsAsync);
        spend.MapGet("/tags", TagsAsync);
    }

    private static async Task LogsAsync(HttpContext context, SpendLogRepository repository)
    {
        if (await ReadFilterAsync(context) is not { } filter)
        {
            return;
        }

        var rows = await repository.QueryAsync(filter, context.RequestAborted);
        await AdminResponses.WriteAsync(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                WriteRow(writer, row);
            }

            writer.WriteEndArray();
        });
    }

    private static async Task TagsAsync(HttpContext context, SpendLogRepository repository)
    {
        if (await ReadFilterAsync(context) is not { } filter)
        {
            return;
        }

        var totals = await repository.TagTotalsAsync(filter, context.RequestAborted);
        await AdminResponses.WriteAsync(context, writer =>
        {
            writer.WriteStartArray();
            foreach (var (tag, count, spend) in totals)
            {
                writer.WriteStartObject();
                writer.WriteString("individual_request_tag", tag);
                writer.WriteNumber("log_count", count);
                writer.WriteNumber("total_spend", spend);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    /// <returns>The filter, or null after answering 400.</returns>
    private static async Task<SpendLogFilter?> ReadFilterAsync(HttpContext context)
    {
        var query = context.Request.Query;
        string? apiKey = null;
        if (query["api_key"].ToString() is { Length: > 0 } key)
        {
            if (!KeyFields.TryReadKeyReference(key, out var token))
            {
                await AdminResponses.BadRequestAsync(context, "api_key: pass the key (sk-…) or its token (SHA-256 hex).");
                return null;
            }

            apiKey = token.ToString();
        }

        if (!TryReadDate(query["start_date"], endOfDay: false, out var start))
        {
            await AdminResponses.BadRequestAsync(context, "start_date: " + DateFormats);
            return null;
        }

        if (!TryReadDate(query["end_date"], endOfDay: true, out var end))
        {
            await AdminResponses.BadRequestAsync(context, "end_date: " + DateFormats);
            return null;
        }

        var requestId = query["request_id"].ToString();
        return new SpendLogFilter(requestId.Length > 0 ? requestId : null, apiKey, start, end, MaxRows);
    }

    /// <summary>
    /// A date alone means the whole day: <c>end_date=2026-11-25</c> includes that day, and the calendar's
    /// last day (<c>9999-12-31</c>, a common "no end") runs to the last representable instant.
    /// </summary>
    private static bool TryReadDate(string? text, bool endOfDay, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            value = endOfDay
                ? day == DateOnly.MaxValue ? DateTimeOffset.MaxValue : new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                : new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            value = time;
            return true;
        }

        return false;
    }

    private static void WriteRow(Utf8JsonWriter writer, SpendLogRow row)
    {
        writer.WriteStartObject();
        writer.WriteString("request_id", row.RequestId);
        writer.WriteString("call_type", row.CallType);
        writer.WriteString("api_key", row.ApiKey);
        writer.WriteString("key_alias", row.KeyAlias);
        writer.WriteString("route", row.Route);
        writer.WriteString("custom_llm_provider", row.CustomLlmProvider);
        writer.WriteString("api_base", row.ApiBase);
        writer.WriteString("model", row.Model);
        writer.WriteNumber("prompt_tokens", row.PromptTokens);
        writer.WriteNumber("completion_tokens", row.CompletionTokens);
        writer.WriteNumber("total_tokens", row.TotalTokens);
        writer.WriteNumber("cache_read_input_tokens", row.CacheReadInputTokens);
        writer.WriteNumber("cache_creation_input_tokens", row.CacheCreationInputTokens);
        writer.WriteNumber("spend", row.Spend);
        writer.WriteStartArray("request_tags");
        foreach (var tag in row.RequestTags)
        {
            writer.WriteStringValue(tag);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("metadata");
        writer.WriteRawValue(row.MetadataJson, skipInputValidation: true);
        writer.WriteString("status", row.Status);
        writer.WriteNumber("status_code", row.StatusCode);
        writer.WriteBoolean("stream", row.Stream);
        writer.WriteString("startTime", row.StartTime);
        writer.WriteString("endTime", row.EndTime);
        if (row.CompletionStartTime is { } firstByte)
        {
            writer.WriteString("completionStartTime", firstByte);
        }
        else
        {
            writer.WriteNull("completionStartTime");
        }

        writer.WriteString("requester_ip_address", row.RequesterIpAddress);
        writer.WriteBoolean("usage_estimated", row.UsageEstimated);
        writer.WriteEndObject();
    }
}
