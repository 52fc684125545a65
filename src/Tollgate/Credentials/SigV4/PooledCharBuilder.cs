using System.Buffers;

namespace Tollgate.Credentials.SigV4;

/// <summary>A growable char buffer rented from <see cref="ArrayPool{T}"/>; the signer builds its strings in one of these.</summary>
internal ref struct PooledCharBuilder
{
    private char[] _array;
    private int _length;

    public PooledCharBuilder(int initialCapacity)
    {
        _array = ArrayPool<char>.Shared.Rent(initialCapacity);
    }

    public readonly int Length => _length;

    public void Append(char value)
    {
        if (_length == _array.Length)
        {
            Grow(1);
        }

        _array[_length++] = value;
    }

    public void Append(scoped ReadOnlySpan<char> value)
    {
        if (_array.Length - _length < value.Length)
        {
            Grow(value.Length);
        }

        value.CopyTo(_array.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Free space of at least <paramref name="minimumLength"/> chars at the end; commit what was written with <see cref="Advance"/>.</summary>
    public Span<char> GetSpan(int minimumLength)
    {
        if (_array.Length - _length < minimumLength)
        {
            Grow(minimumLength);
        }

        return _array.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public readonly ReadOnlySpan<char> AsSpan() => _array.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public override readonly string ToString() => new(_array, 0, _length);

    public readonly void Dispose() => ArrayPool<char>.Shared.Return(_array);

    private void Grow(int additional)
    {
        var larger = ArrayPool<char>.Shared.Rent(Math.Max(_array.Length * 2, _length + additional));
        _array.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<char>.Shared.Return(_array);
        _array = larger;
    }
}
