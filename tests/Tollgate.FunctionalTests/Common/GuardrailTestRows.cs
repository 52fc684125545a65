using System.Globalization;
using System.Text.Json;

namespace Tollgate.FunctionalTests.Common;

/// <summary>Reads a call's spend-log row and its guardrail decisions through the admin API.</summary>
public static class GuardrailTestRows
{
    /// <summary>Each decision as <c>name:action[:category][:count]</c>.</summary>
    public static List<string> Decisions(JsonElement row) =>
        [.. row.GetProperty("metadata").GetProperty("guardrails").EnumerateArray().Select(d => string.Join(':', new[]
        {
            d.GetProperty("name").GetString(),
            d.GetProperty("action").GetString(),
            d.TryGetProperty("category", out var c) ? c.GetString() : null,
            d.TryGetProperty("count", out var n) ? n.GetInt32().ToString(CultureInfo.InvariantCulture) : null,
        }.Where(p => p is not null)))];

    /// <summary>Rows are written in the background: poll until the call's row is there.</summary>
    public static async Task<JsonElement> SpendRowAsync(GatewayTestEnvironment gateway, string callId) =>
        (await SpendRowsAsync(gateway, "request_id=" + callId, rows => rows.GetArrayLength() > 0))[0];

    /// <summary><c>/spend/logs</c> with <paramref name="query"/> until <paramref name="done"/> holds for the rows it lists.</summary>
    public static Task<JsonElement> SpendRowsAsync(GatewayTestEnvironment gateway, string query, Func<JsonElement, bool> done) =>
        Poll.UntilAsync(
            async () =>
            {
                using var response = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "spend/logs?" + query, GatewayTestEnvironment.MasterKey)).DefaultTimeout();
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout()).RootElement.Clone();
            },
            done,
            rows => $"spend/logs?{query} never listed the rows awaited; it listed {rows.GetArrayLength()}");
}
