namespace Tollgate.FunctionalTests.Common;

/// <summary>The access log line is written after the response is sent, so tests wait for it rather than read it at once.</summary>
public static class CapturedLogsWaiting
{
    public static async Task<CapturedLog> WaitForAsync(this CapturedLogs logs, Func<CapturedLog, bool> match)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.DefaultTimeoutSpan;
        while (DateTime.UtcNow < deadline)
        {
            if (logs.Entries.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(10).DefaultTimeout();
        }

        throw new TimeoutException("No matching log line. Logs:\n" + logs.AllText);
    }
}
