namespace Tollgate.FunctionalTests.Common;

/// <summary>The access log line is written after the response is sent, so tests wait for it rather than read it at once.</summary>
public static class CapturedLogsWaiting
{
    public static async Task<CapturedLog> WaitForAsync(this CapturedLogs logs, Func<CapturedLog, bool> match) =>
        (await Poll.UntilAsync(() => Task.FromResult(logs.Entries.FirstOrDefault(match)), found => found is not null, _ => "No matching log line. Logs:\n" + logs.AllText))!;
}
