using System.Globalization;

namespace Tollgate.Bench.Load;

/// <summary>
/// After the run: reads Tollgate's <c>/metrics</c> until the spend-log queue is empty and prints, as
/// markdown, how many calls it forwarded against how many spend rows it wrote or spilled.
/// </summary>
internal static class SpendCheck
{
    public static async Task<int> RunAsync(Uri gateway)
    {
        using var client = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };
        Counters counters = default;
        for (var attempt = 0; attempt < 60; attempt++)
        {
            counters = Counters.Parse(await client.GetStringAsync("/metrics"));
            if (counters.QueueDepth == 0 && counters.Written + counters.Spilled >= counters.Calls)
            {
                break;
            }

            await Task.Delay(250);
        }

        var lost = counters.Calls - counters.Written - counters.Spilled;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Tollgate spend log after the run: {counters.Calls:N0} calls forwarded, {counters.Written:N0} spend rows written, {counters.Spilled:N0} spilled, {counters.QueueDepth:N0} still queued{(lost > 0 ? $" — **{lost:N0} rows missing**" : " — none missing")}."));
        return 0;
    }

    private readonly record struct Counters(double Calls, double Written, double Spilled, double QueueDepth)
    {
        public static Counters Parse(string text)
        {
            double calls = 0, written = 0, spilled = 0, depth = 0;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith('#'))
                {
                    continue;
                }

                var space = line.LastIndexOf(' ');
                if (space < 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    continue;
                }

                if (line.StartsWith("tollgate_requests_total", StringComparison.Ordinal))
                {
                    calls += value;
                }
                else if (line.StartsWith("tollgate_spend_rows_written_total", StringComparison.Ordinal))
                {
                    written += value;
                }
                else if (line.StartsWith("tollgate_spend_rows_spilled_total", StringComparison.Ordinal))
                {
                    spilled += value;
                }
                else if (line.StartsWith("tollgate_spend_queue_depth", StringComparison.Ordinal))
                {
                    depth += value;
                }
            }

            return new Counters(calls, written, spilled, depth);
        }
    }
}
