using System.Buffers;
using System.Numerics;

namespace Tollgate.Forwarding;

/// <summary>
/// Where request-body buffers come from: <see cref="ArrayPool{T}.Shared"/> up to 1 MiB, plain arrays above.
/// The shared pool keeps what is returned to it, so three 90 MB Bedrock bodies stayed reserved for more
/// bodies for good; a large array left to the GC is free for any other use once the call that held it ends.
/// </summary>
internal static class BodyBuffers
{
    public const int LargestPooled = 1024 * 1024;

    /// <summary>The length of the array <see cref="Rent"/> gives for <paramref name="minimumLength"/>: what holding it costs.</summary>
    public static int SizeFor(int minimumLength) =>
        minimumLength <= LargestPooled ? (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, 16)) : minimumLength;

    public static byte[] Rent(int minimumLength) =>
        minimumLength <= LargestPooled ? ArrayPool<byte>.Shared.Rent(minimumLength) : GC.AllocateUninitializedArray<byte>(minimumLength);

    public static void Return(byte[] buffer)
    {
        // The pool only ever hands out arrays up to LargestPooled here, so nothing larger goes back to it.
        if (buffer.Length is > 0 and <= LargestPooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
