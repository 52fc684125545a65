using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Tollgate.Forwarding;

/// <summary>
/// The whole request body in a pooled buffer, for features that need its bytes before forwarding (the
/// SigV4 payload hash). The request is switched to read from the buffer with an exact Content-Length,
/// so the upstream gets exactly the bytes that were hashed. The buffer goes back to the pool with the request.
/// </summary>
internal sealed class BufferedRequestBody : IDisposable
{
    private static readonly BufferedRequestBody Empty = new([], 0);

    private byte[] _buffer;

    private BufferedRequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
        Sha256Hex = Convert.ToHexStringLower(SHA256.HashData(Memory.Span));
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>Lower-case hex SHA-256 of the body.</summary>
    public string Sha256Hex { get; }

    /// <summary>Reads the body (up to <paramref name="limit"/> bytes) and makes the request replay it; null when it is larger.</summary>
    public static async Task<BufferedRequestBody?> ReadAsync(HttpContext context, long limit, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            // A GET or a Content-Length: 0 request stays without a body (and without a Content-Length header).
            return Empty;
        }

        var capacity = (int)Math.Clamp(request.ContentLength ?? 16 * 1024, 0, Math.Min(limit, Array.MaxLength));
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));
        var length = 0;
        try
        {
            while (true)
            {
                // Kestrel never delivers more than a declared Content-Length.
                if (length == request.ContentLength)
                {
                    break;
                }

                if (length == buffer.Length)
                {
                    if (length >= limit)
                    {
                        // One more byte than allowed is enough to know.
                        var probe = new byte[1];
                        if (await request.Body.ReadAsync(probe, cancellationToken) > 0)
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            return null;
                        }

                        break;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, Math.Min(limit, Array.MaxLength)));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        var body = new BufferedRequestBody(buffer, length);
        context.Response.RegisterForDispose(body);
        request.Body = new MemoryStream(buffer, 0, length, writable: false);
        request.Headers.Remove("Transfer-Encoding");
        request.ContentLength = length;
        return body;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
