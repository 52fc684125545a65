namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// Waits for an event a test can only see by looking again (a row the background writer wrote, a gauge, a log
/// line, a process's memory): looks until the condition holds, and fails with what it saw last once the default
/// timeout has run out. The one place tests wait like this, so the interval is not a synchronisation guess.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <returns>The first look for which <paramref name="done"/> holds.</returns>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> look, Func<T, bool> done, Func<T, string> failure)
    {
        var deadline = DateTime.UtcNow + TaskTimeoutExtensions.DefaultTimeoutSpan;
        while (true)
        {
            var seen = await look();
            if (done(seen))
            {
                return seen;
            }

            Assert.True(DateTime.UtcNow < deadline, failure(seen));
            await Task.Delay(Interval);
        }
    }

    public static Task UntilAsync(Func<bool> done, Func<string> failure) =>
        UntilAsync(() => Task.FromResult(done()), held => held, _ => failure());
}
