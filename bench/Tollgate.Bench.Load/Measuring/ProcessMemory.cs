using System.Globalization;

namespace Tollgate.Bench.Load.Measuring;

/// <summary>Reads a process's peak resident set (VmHWM) from /proc.</summary>
internal static class ProcessMemory
{
    /// <returns>Peak RSS in MB, or NaN when the process or /proc is not there.</returns>
    public static double PeakRssMegabytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
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
