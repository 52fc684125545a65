using System.Globalization;

namespace Tollgate.Forwarding;

/// <summary>
/// The gateway-wide budget of request bytes held in memory (Bedrock bodies to sign, bodies read for a key's
/// model check or for guardrails), <c>general_settings.max_buffered_request_mb</c>. Without it, a few large
/// concurrent bodies could take the process's memory: a reader that cannot reserve what it needs is refused
/// with 503 and <c>Retry-After</c> instead, and bytes come back as the calls holding them end.
/// </summary>
internal sealed class RequestBufferBudget
{
    private long _inUse;

    public RequestBufferBudget(double maxBufferedRequestMb)
    {
        LimitBytes = (long)(maxBufferedRequestMb * 1024 * 1024);
        SpentMessage = "The gateway is holding as many request bodies in memory as it may "
            + $"({maxBufferedRequestMb.ToString(CultureInfo.InvariantCulture)} MiB, general_settings.max_buffered_request_mb); retry shortly.";
    }

    public long LimitBytes { get; }

    /// <summary>Bytes reserved by bodies held right now.</summary>
    public long InUse => Volatile.Read(ref _inUse);

    public string SpentMessage { get; }

    /// <summary>Reserves <paramref name="bytes"/> if they fit in what is left; false (and nothing reserved) if not.</summary>
    public bool TryReserve(long bytes)
    {
        var current = Volatile.Read(ref _inUse);
        while (true)
        {
            if (current + bytes > LimitBytes)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _inUse, current + bytes, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }

    /// <summary>Counts bytes that had to be taken whatever the budget said (a masked body replacing the one it came from).</summary>
    public void Add(long bytes) => Interlocked.Add(ref _inUse, bytes);

    public void Release(long bytes) => Interlocked.Add(ref _inUse, -bytes);
}
