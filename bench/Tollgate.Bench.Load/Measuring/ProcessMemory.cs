using System.Globalization;

namespace Tollgate.Bench.Load.Measuring;

/// <summary>Reads a process's resident set, peak (VmHWM) or current (VmRSS), from /proc.</summary>
internal static class ProcessMemory
{
    /// <returns>Peak RSS in MB, or NaN when the process or /proc is not there.</returns>
    public static double PeakRssMegabytes(int pid) => Read(pid, "VmHWM:");

    /// <returns>Current RSS in MB, or NaN when the process or /proc is not there.</returns>
    public static double RssMegabytes(int pid) => Read(pid, "VmRSS:");

    private static double Read(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                    return kb / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return double.NaN;
    }
}
