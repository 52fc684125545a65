using System.Buffers;

namespace Tollgate.Metering.Parsing;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>: what a splitter holds of a
/// unit (event, frame, JSON element) that arrived split across reads. A mutable struct: keep it in a
/// non-readonly field and call it in place.
/// </summary>
internal struct PooledBuffer
{
    /// <summary>Kept across units up to this size; a larger array goes back to the pool once the unit is done.</summary>
    public const int RetainedCapacity = 16 * 1024;

    private const int MinimumCapacity = 256;

    private byte[]? _array;
    private int _count;

    public readonly int Count => _count;

    /// <summary>The rented array's length (0 when nothing is rented): what the buffer costs in memory right now.</summary>
    public readonly int Capacity => _array?.Length ?? 0;

    public readonly ReadOnlySpan<byte> Written => _array.AsSpan(0, _count);

    /// <summary><see cref="Written"/> as memory, for an asynchronous write; valid until the buffer changes.</summary>
    public readonly ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _count);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        var needed = _count + bytes.Length;
        if (_array is null || needed > _array.Length)
        {
            Grow(needed);
        }

        bytes.CopyTo(_array.AsSpan(_count));
        _count = needed;
    }

    /// <summary>Forgets the content; an array grown past <see cref="RetainedCapacity"/> goes back to the pool.</summary>
    public void Clear()
    {
        _count = 0;
        if (_array is not null && _array.Length > RetainedCapacity)
        {
            Release();
        }
    }

    /// <summary>Returns the array to the pool.</summary>
    public void Release()
    {
        _count = 0;
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }
    }

    private void Grow(int needed)
    {
        var size = Math.Max(needed, Math.Max(MinimumCapacity, (_array?.Length ?? 0) * 2));
        var next = ArrayPool<byte>.Shared.Rent(size);
        if (_array is not null)
        {
            _array.AsSpan(0, _count).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = next;
    }
}
