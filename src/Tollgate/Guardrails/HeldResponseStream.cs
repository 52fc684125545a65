using System.Buffers;
using Microsoft.AspNetCore.Http;
using Tollgate.Forwarding;

namespace Tollgate.Guardrails;

/// <summary>
/// Stands in for the response body while post_call guardrails apply: the provider's answer is kept in a
/// pooled buffer (so nothing, not even the headers, reaches the client) until it has been checked. Past the
/// limit the answer is either passed through from then on (every guardrail fails open) or dropped.
/// </summary>
internal sealed class HeldResponseStream : WriteOnlyStream
{
    private readonly Stream _inner;
    private readonly long _limit;
    private readonly bool _passThroughOnOverflow;
    private byte[] _buffer = [];
    private int _length;

    private HeldResponseStream(Stream inner, long limit, bool passThroughOnOverflow)
    {
        _inner = inner;
        _limit = limit;
        _passThroughOnOverflow = passThroughOnOverflow;
    }

    /// <summary>The answer outgrew the limit.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>After an overflow with every guardrail failing open: the answer went to the client unchecked.</summary>
    public bool PassingThrough { get; private set; }

    public ReadOnlyMemory<byte> Held => _buffer.AsMemory(0, _length);

    /// <summary>Puts a holding stream in front of the response body.</summary>
    public static HeldResponseStream Install(HttpContext context, long limit, bool passThroughOnOverflow)
    {
        var held = new HeldResponseStream(context.Response.Body, limit, passThroughOnOverflow);
        context.Response.Body = held;
        context.Response.RegisterForDispose(held);
        return held;
    }

    /// <summary>Puts the real response body back (reverting to the body feature that was there before).</summary>
    public void Restore(HttpContext context)
    {
        if (ReferenceEquals(context.Response.Body, this))
        {
            context.Response.Body = _inner;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (PassingThrough)
        {
            await _inner.WriteAsync(buffer, cancellationToken);
            return;
        }

        if (Overflowed)
        {
            return;
        }

        if (_length + (long)buffer.Length > _limit)
        {
            Overflowed = true;
            if (_passThroughOnOverflow)
            {
                PassingThrough = true;
                await _inner.WriteAsync(Held, cancellationToken);
                await _inner.WriteAsync(buffer, cancellationToken);
            }

            ReturnBuffer();
            return;
        }

        if (_length + buffer.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_length + buffer.Length, Math.Max(_buffer.Length * 2, 16 * 1024)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ReturnBuffer();
            _buffer = larger;
        }

        buffer.Span.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    /// <summary>Holding means not sending: a flush would start the response.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        PassingThrough ? _inner.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        ReturnBuffer();
        base.Dispose(disposing);
    }

    private void ReturnBuffer()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
