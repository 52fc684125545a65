using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Keys;

/// <summary>The SHA-256 of a key: what Tollgate stores and compares instead of the key itself.</summary>
internal readonly record struct KeyHash(ulong A, ulong B, ulong C, ulong D)
{
    public static KeyHash Of(string key)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var byteCount = Encoding.UTF8.GetByteCount(key);
        if (byteCount <= 512)
        {
            Span<byte> utf8 = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(key, utf8);
            SHA256.HashData(utf8, digest);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key), digest);
        }

        return new KeyHash(
            BinaryPrimitives.ReadUInt64BigEndian(digest),
            BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));
    }

    /// <summary>Reads the 64-hex-digit form that <see cref="ToString"/> writes (either case).</summary>
    public static bool TryParse(ReadOnlySpan<char> hex, out KeyHash hash)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        if (hex.Length != 64 || Convert.FromHexString(hex, digest, out _, out var written) != System.Buffers.OperationStatus.Done || written != digest.Length)
        {
            hash = default;
            return false;
        }

        hash = new KeyHash(
            BinaryPrimitives.ReadUInt64BigEndian(digest),
            BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));
        return true;
    }

    /// <summary>Lower-case hex, the form spend-log rows carry.</summary>
    public override string ToString() => $"{A:x16}{B:x16}{C:x16}{D:x16}";
}
