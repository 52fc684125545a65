using System.Diagnostics;
using System.Globalization;

namespace Tollgate.Bench.Load.Measuring;

/// <summary>
/// How much of the machine went to processes other than the benchmark's own (the servers and this
/// generator) between two snapshots: the busy time in /proc/stat minus the CPU time in each of our
/// /proc/PID/stat. On two shared cores this says whether a run's figures were disturbed.
/// </summary>
internal sealed class MachineCpu
{
    private readonly int[] _pids;
    private readonly long _busy;
    private readonly long _ours;
    private readonly long _at;

    private MachineCpu(int[] pids, long busy, long ours, long at)
    {
        _pids = pids;
        _busy = busy;
        _ours = ours;
        _at = at;
    }

    public static MachineCpu Start(IEnumerable<int> pids)
    {
        var all = pids.Append(Environment.ProcessId).Distinct().ToArray();
        return new MachineCpu(all, BusyTicks(), OurTicks(all), Stopwatch.GetTimestamp());
    }

    /// <returns>The other processes' share of all cores since <see cref="Start"/> (0–1), or NaN without /proc.</returns>
    public double OthersShare()
    {
        var seconds = Stopwatch.GetElapsedTime(_at).TotalSeconds;
        var busy = BusyTicks() - _busy;
        var ours = OurTicks(_pids) - _ours;
        return busy < 0 || seconds <= 0 ? double.NaN : Math.Max(0, busy - ours) / (seconds * ProcessCpu.TicksPerSecond * Environment.ProcessorCount);
    }

    private static long BusyTicks()
    {
        try
        {
            // cpu user nice system idle iowait irq softirq steal ...
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        }
        catch (IOException)
        {
            return long.MinValue;
        }
    }

    private static long OurTicks(int[] pids) => pids.Sum(ProcessCpu.Ticks);
}
