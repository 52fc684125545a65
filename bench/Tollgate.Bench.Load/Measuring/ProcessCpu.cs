using System.Globalization;

namespace Tollgate.Bench.Load.Measuring;

/// <summary>The CPU time (user + system, every thread) a process has used, from /proc/PID/stat.</summary>
internal static class ProcessCpu
{
    /// <summary>USER_HZ on Linux: the unit of /proc's CPU times.</summary>
    public const double TicksPerSecond = 100;

    /// <returns>The process's CPU time in ticks; 0 when it is gone or there is no /proc.</returns>
    public static long Ticks(int pid)
    {
        try
        {
            // After "pid (comm) ": state is field 3, utime 14, stime 15.
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Runs <paramref name="work"/> and says how much CPU time the process <paramref name="pid"/> used meanwhile.</summary>
    public static (T Result, TimeSpan Cpu) During<T>(int pid, Func<T> work)
    {
        var before = Ticks(pid);
        var result = work();
        return (result, TimeSpan.FromSeconds((Ticks(pid) - before) / TicksPerSecond));
    }
}
