using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Errors;

namespace Tollgate.Forwarding;

/// <summary>
/// The whole request body in memory (<see cref="BodyBuffers"/>, counted against the gateway's
/// <see cref="RequestBufferBudget"/>), for features that need its bytes before forwarding (the
/// SigV4 payload hash, a key's model check, guardrails). The request is switched to read from the buffer
/// with an exact Content-Length, so the upstream gets exactly these bytes; the first reader stores the
/// body as a request feature and later ones reuse it. <see cref="Replace"/> swaps in new bytes (a masked
/// body) the same way. The buffer and its share of the budget are given back with the request.
/// </summary>
internal sealed class BufferedRequestBody : IDisposable
{
    private static readonly BufferedRequestBody Empty = new(null, [], 0, null);

    private readonly HttpContext? _context;
    private byte[] _buffer;
    private string? _sha256Hex;
    private readonly RequestBufferBudget? _budget;
    private MemoryStream? _replay;
    private long _reserved;

    private BufferedRequestBody(HttpContext? context, byte[] buffer, int length, RequestBufferBudget? budget)
    {
        _context = context;
        _buffer = buffer;
        Length = length;
        _budget = budget;
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
            return (null, limits.BodyFailure(e));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return (null, GatewayLimits.ClientLeftDuringBody);
        }

        return body is null
            ? (null, limits.BodyTooLarge)
            : (body, null);
    }

    /// <summary>Reads the body (up to <paramref name="limit"/> bytes) and makes the request replay it; null when it is larger.</summary>
    /// <exception cref="RequestBufferBudgetException">The gateway's <see cref="RequestBufferBudget"/> cannot hold the body now.</exception>
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

        // Looked up here rather than passed in, so every reader (model check, guardrails, Bedrock) shares it.
        var budget = context.RequestServices?.GetService<RequestBufferBudget>();
        var capacity = (int)Math.Clamp(request.ContentLength ?? 16 * 1024, 0, Math.Min(limit, Array.MaxLength));
        var body = new BufferedRequestBody(context, [], 0, budget);
        body.Grow(Math.Max(capacity, 256), 0);
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

                if (length == body._buffer.Length)
                {
                    if (length >= limit)
                    {
                        // One more byte than allowed is enough to know.
                        var probe = new byte[1];
                        if (await request.Body.ReadAsync(probe, cancellationToken) > 0)
                        {
                            body.Dispose();
                            return null;
                        }

                        break;
                    }

                    body.Grow((int)Math.Min((long)length * 2, Math.Min(limit, Array.MaxLength)), length);
                }

                var read = await request.Body.ReadAsync(body._buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    body.Dispose();
                    return null;
                }
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }

        body.Length = length;
        context.Response.RegisterForDispose(body);
        context.Features.Set(body);
        body.Replay();
        return body;
    }

    /// <summary>Makes the request send <paramref name="length"/> bytes of <paramref name="buffer"/> (from <see cref="BodyBuffers"/>) instead, which this body now owns.</summary>
    public void Replace(byte[] buffer, int length)
    {
        if (_context is null)
        {
            throw new InvalidOperationException("A request without a body has nothing to replace.");
        }

        // The masked body was already made; it replaces the old one at once, so it is counted, not refused.
        _budget?.Add(buffer.Length - _buffer.Length);
        _reserved += buffer.Length - _buffer.Length;
        BodyBuffers.Return(_buffer);
        _buffer = buffer;
        Length = length;
        _sha256Hex = null;
        Replay();
    }

    /// <summary>Moves the first <paramref name="keep"/> bytes into a buffer of <paramref name="size"/>, reserving the difference.</summary>
    private void Grow(int size, int keep)
    {
        var extra = BodyBuffers.SizeFor(size) - _buffer.Length;
        if (_budget is not null && !_budget.TryReserve(extra))
        {
            throw new RequestBufferBudgetException(_budget.SpentMessage);
        }

        _reserved += extra;
        var larger = BodyBuffers.Rent(size);
        _buffer.AsSpan(0, keep).CopyTo(larger);
        BodyBuffers.Return(_buffer);
        _buffer = larger;
    }

    private void Replay()
    {
        var request = _context!.Request;
        request.Body = _replay = new MemoryStream(_buffer, 0, Length, writable: false);
        request.Headers.Remove("Transfer-Encoding");
        request.ContentLength = Length;
    }

    public void Dispose()
    {
        // Kestrel keeps a connection's request object for its next request: it must not keep the bytes alive.
        if (_replay is not null && _context?.Request.Body == _replay)
        {
            _context.Request.Body = Stream.Null;
        }

        var buffer = Interlocked.Exchange(ref _buffer, []);
        BodyBuffers.Return(buffer);
        _budget?.Release(Interlocked.Exchange(ref _reserved, 0));
    }
}
