using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Credentials.SigV4;

/// <summary>
/// AWS Signature Version 4 header signing (non-S3 rules), written from AWS's published spec and
/// checked against AWS's signing test suite. Thread-safe; its only state is the caller's key cache.
/// </summary>
/// <remarks>
/// (1) canonical request (<see cref="AwsCanonicalRequest"/>); (2) string to sign: algorithm, date,
/// scope, hex SHA-256 of (1); (3) signing key: HMAC chain <c>AWS4</c>+secret → date → region →
/// service → <c>aws4_request</c>, kept for the day when the request brings an <see cref="AwsSigningKeyCache"/>;
/// (4) signature: hex HMAC of (2) under (3). Strings are built in one rented buffer and hashed through
/// stack or rented byte buffers; key material on the stack is zeroed after use.
/// </remarks>
internal static class AwsSigV4Signer
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const string ScopeTerminator = "aws4_request";

    /// <summary>Signs <paramref name="request"/>; the caller sets the returned headers on the request it sends.</summary>
    public static AwsSignature Sign(AwsSigningRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var amzDate = request.Timestamp.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var dateStamp = amzDate.AsSpan(0, 8);
        var builder = new PooledCharBuilder(1024);
        try
        {
            var signedHeaders = AwsCanonicalRequest.Write(ref builder, request, amzDate);
            var canonicalRequest = builder.ToString();

            builder.Clear();
            builder.Append(Algorithm);
            builder.Append('\n');
            builder.Append(amzDate);
            builder.Append('\n');
            AppendScope(ref builder, dateStamp, request);
            builder.Append('\n');
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            Sha256Utf8(canonicalRequest, digest);
            AppendHex(ref builder, digest);
            var stringToSign = builder.ToString();

            ComputeSignature(request, dateStamp, stringToSign, digest);

            builder.Clear();
            builder.Append(Algorithm);
            builder.Append(" Credential=");
            builder.Append(request.Credentials.AccessKeyId);
            builder.Append('/');
            AppendScope(ref builder, dateStamp, request);
            builder.Append(", SignedHeaders=");
            builder.Append(canonicalRequest.AsSpan(signedHeaders));
            builder.Append(", Signature=");
            AppendHex(ref builder, digest);

            return new AwsSignature
            {
                Authorization = builder.ToString(),
                AmzDate = amzDate,
                SecurityToken = request.Credentials.SessionToken,
                ContentSha256 = request.AddContentSha256Header ? request.PayloadSha256Hex : null,
                CanonicalRequest = canonicalRequest,
                StringToSign = stringToSign,
            };
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="data"/>: the payload hash of a body held in memory.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>
    /// Finishes a SHA-256 <see cref="IncrementalHash"/> fed with the body as it was read (in pooled
    /// segments, say) and returns its lower-case hex; the hash is reset for reuse.
    /// </summary>
    public static string Sha256Hex(IncrementalHash hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (hash.AlgorithmName != HashAlgorithmName.SHA256)
        {
            throw new ArgumentException($"Expected a SHA-256 hash, got {hash.AlgorithmName}.", nameof(hash));
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    private static void AppendScope(ref PooledCharBuilder builder, scoped ReadOnlySpan<char> dateStamp, AwsSigningRequest request)
    {
        builder.Append(dateStamp);
        builder.Append('/');
        builder.Append(request.Region);
        builder.Append('/');
        builder.Append(request.Service);
        builder.Append('/');
        builder.Append(ScopeTerminator);
    }

    private static void AppendHex(ref PooledCharBuilder builder, scoped ReadOnlySpan<byte> bytes)
    {
        Convert.TryToHexStringLower(bytes, builder.GetSpan(bytes.Length * 2), out var written);
        builder.Advance(written);
    }

    /// <summary>Derives the signing key (or takes the day's from the request's cache) and writes HMAC(key, stringToSign) to <paramref name="signature"/>.</summary>
    private static void ComputeSignature(AwsSigningRequest request, ReadOnlySpan<char> dateStamp, string stringToSign, Span<byte> signature)
    {
        Span<byte> keyA = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> keyB = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var cache = request.SigningKeys;
        if (cache is not null && cache.TryGet(request.Credentials, dateStamp, request.Region, request.Service, keyB))
        {
            HmacUtf8(keyB, stringToSign, signature);
            CryptographicOperations.ZeroMemory(keyB);
            return;
        }

        var secret = request.Credentials.SecretAccessKey;
        var maxSecretBytes = 4 + Encoding.UTF8.GetMaxByteCount(secret.Length);
        byte[]? rented = null;
        var secretKey = maxSecretBytes <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(maxSecretBytes));
        "AWS4"u8.CopyTo(secretKey);
        var secretLength = 4 + Encoding.UTF8.GetBytes(secret, secretKey[4..]);
        HmacUtf8(secretKey[..secretLength], dateStamp, keyA);
        CryptographicOperations.ZeroMemory(secretKey[..secretLength]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        HmacUtf8(keyA, request.Region, keyB);
        HmacUtf8(keyB, request.Service, keyA);
        HmacUtf8(keyA, ScopeTerminator, keyB);
        cache?.Set(request.Credentials, dateStamp, request.Region, request.Service, keyB);
        HmacUtf8(keyB, stringToSign, signature);
        CryptographicOperations.ZeroMemory(keyA);
        CryptographicOperations.ZeroMemory(keyB);
    }

    private static void HmacUtf8(ReadOnlySpan<byte> key, ReadOnlySpan<char> text, Span<byte> destination)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var utf8 = maxBytes <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        var length = Encoding.UTF8.GetBytes(text, utf8);
        HMACSHA256.HashData(key, utf8[..length], destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Sha256Utf8(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var utf8 = maxBytes <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        var length = Encoding.UTF8.GetBytes(text, utf8);
        SHA256.HashData(utf8[..length], destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
