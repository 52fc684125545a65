using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Tollgate.Bench.Load.Measuring;

/// <summary>
/// Sleeps until a Stopwatch timestamp with microsecond accuracy and without spinning: on Linux,
/// Stopwatch reads CLOCK_MONOTONIC in nanoseconds, so <c>clock_nanosleep(TIMER_ABSTIME)</c> takes the
/// timestamp as it is, and a 1 ns timer slack keeps the kernel from batching the wake-up (50 µs by default).
/// </summary>
internal static partial class PreciseClock
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsTime = 1;
    private const int PrSetTimerSlack = 29;
    private const int Eintr = 4;

    private static readonly bool Native = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <summary>Call once on the thread that will sleep.</summary>
    public static void TightenThisThread()
    {
        if (Native)
        {
            _ = prctl(PrSetTimerSlack, 1, 0, 0, 0);
        }
    }

    public static void SleepUntil(long timestamp)
    {
        if (Native)
        {
            var due = new Timespec(timestamp / 1_000_000_000, timestamp % 1_000_000_000);
            while (clock_nanosleep(ClockMonotonic, TimerAbsTime, in due, IntPtr.Zero) == Eintr)
            {
                // A signal woke us: sleep again until the same instant.
            }

            return;
        }

        // Elsewhere: millisecond sleeps, then yield the last stretch.
        while (Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp) is var left && left > TimeSpan.Zero)
        {
            if (left > TimeSpan.FromMilliseconds(2))
            {
                Thread.Sleep(left - TimeSpan.FromMilliseconds(1));
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int clock_nanosleep(int clockId, int flags, in Timespec request, IntPtr remain);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
