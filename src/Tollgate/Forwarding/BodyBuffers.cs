using System.Buffers;
using System.Numerics;

namespace Tollgate.Forwarding;

/// <summary>
/// Where request-body buffers come from: <see cref="ArrayPool{T}.Shared"/> up to 1 MiB, plain arrays above.
/// The shared pool keeps what is returned to it, so three 90 MB Bedrock bodies stayed reserved for more
/// bodies for good; a large array left to the GC is free for any other use once the call that held it ends.
/// </summary>
/// <remarks>
/// Left to itself, the GC keeps the memory of those large arrays: a gateway that goes quiet after a burst of big
/// bodies runs no collection that would give it back. So once no large buffer is held and at least
/// <see cref="ReturnAfterBytes"/> of them were let go, a full, aggressive collection runs in the background
/// (at most once per <see cref="ReturnInterval"/>), which returns the freed memory to the operating system.
/// </remarks>
internal static class BodyBuffers
{
    public const int LargestPooled = 1024 * 1024;

    private const long ReturnAfterBytes = 64L * 1024 * 1024;
    private static readonly TimeSpan ReturnInterval = TimeSpan.FromSeconds(1);

    private static long s_largeHeld;
    private static long s_largeDropped;
    private static long s_lastReturn;
    private static int s_returning;

    /// <summary>The length of the array <see cref="Rent"/> gives for <paramref name="minimumLength"/>: what holding it costs.</summary>
    public static int SizeFor(int minimumLength) =>
        minimumLength <= LargestPooled ? (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, 16)) : minimumLength;

    public static byte[] Rent(int minimumLength)
    {
        if (minimumLength <= LargestPooled)
        {
            return ArrayPool<byte>.Shared.Rent(minimumLength);
        }

        Interlocked.Add(ref s_largeHeld, minimumLength);
        return GC.AllocateUninitializedArray<byte>(minimumLength);
    }

    public static void Return(byte[] buffer)
    {
        // The pool only ever hands out arrays up to LargestPooled here, so nothing larger goes back to it.
        if (buffer.Length is > 0 and <= LargestPooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else if (buffer.Length > LargestPooled)
        {
            Dropped(buffer.Length);
        }
    }

    private static void Dropped(int length)
    {
        var dropped = Interlocked.Add(ref s_largeDropped, length);
        if (Interlocked.Add(ref s_largeHeld, -length) > 0 || dropped < ReturnAfterBytes
            || Environment.TickCount64 - Volatile.Read(ref s_lastReturn) < ReturnInterval.TotalMilliseconds
            || Interlocked.Exchange(ref s_returning, 1) == 1)
        {
            return;
        }

        Interlocked.Exchange(ref s_largeDropped, 0);
        Volatile.Write(ref s_lastReturn, Environment.TickCount64);
        ThreadPool.UnsafeQueueUserWorkItem(
            static _ =>
            {
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                Volatile.Write(ref s_returning, 0);
            },
            null);
    }
}
