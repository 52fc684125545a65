using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tollgate.Errors;

namespace Tollgate.Forwarding;

/// <summary>
/// The whole request body in a pooled buffer, for features that need its bytes before forwarding (the
/// SigV4 payload hash, a key's model check, guardrails). The request is switched to read from the buffer
/// with an exact Content-Length, so the upstream gets exactly these bytes; the first reader stores the
/// body as a request feature and later ones reuse it. <see cref="Replace"/> swaps in new bytes (a masked
/// body) the same way. The buffer goes back to the pool with the request.
/// </summary>
internal sealed class BufferedRequestBody : IDisposable
{
    private static readonly BufferedRequestBody Empty = new(null, [], 0);

    private readonly HttpContext? _context;
    private byte[] _buffer;
    private string? _sha256Hex;

    private BufferedRequestBody(HttpContext? context, byte[] buffer, int length)
    {
        _context = context;
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>Lower-case hex SHA-256 of the body as it will be sent.</summary>
    public string Sha256Hex => _sha256Hex ??= Convert.ToHexStringLower(SHA256.HashData(Memory.Span));

    /// <summary>As <see cref="ReadAsync"/>, with the ways it can fail as the gateway's answers (413, or 400 for a broken upload).</summary>
    public static async ValueTask<(BufferedRequestBody? Body, GatewayFailure? Failure)> TryReadAsync(HttpContext context, GatewayLimits limits, CancellationToken cancellationToken)
    {
        BufferedRequestBody? body;
        try
        {
            body = await ReadAsync(context, limits.MaxRequestBodyBytes, cancellationToken);
        }
        catch (BadHttpRequestException e)
        {
            return (null, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new GatewayFailure(StatusCodes.Status413PayloadTooLarge, ErrorTypes.RequestTooLarge, limits.BodyTooLargeMessage)
                : new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest, "The request body could not be read from the client."));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return (null, new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest, "The client went away while sending the request body."));
        }

        return body is null
            ? (null, new GatewayFailure(StatusCodes.Status413PayloadTooLarge, ErrorTypes.RequestTooLarge, limits.BodyTooLargeMessage))
            : (body, null);
    }

    /// <summary>Reads the body (up to <paramref name="limit"/> bytes) and makes the request replay it; null when it is larger.</summary>
    public static async Task<BufferedRequestBody?> ReadAsync(HttpContext context, long limit, CancellationToken cancellationToken)
    {
        if (context.Features.Get<BufferedRequestBody>() is { } already)
        {
            return already;
        }

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

        var body = new BufferedRequestBody(context, buffer, length);
        context.Response.RegisterForDispose(body);
        context.Features.Set(body);
        body.Replay();
        return body;
    }

    /// <summary>Makes the request send <paramref name="length"/> bytes of <paramref name="pooledBuffer"/> instead, which this body now owns.</summary>
    public void Replace(byte[] pooledBuffer, int length)
    {
        if (_context is null)
        {
            throw new InvalidOperationException("A request without a body has nothing to replace.");
        }

        var old = _buffer;
        _buffer = pooledBuffer;
        Length = length;
        _sha256Hex = null;
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }

        Replay();
    }

    private void Replay()
    {
        var request = _context!.Request;
        request.Body = new MemoryStream(_buffer, 0, Length, writable: false);
        request.Headers.Remove("Transfer-Encoding");
        request.ContentLength = Length;
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
