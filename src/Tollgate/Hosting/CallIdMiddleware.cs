using System.Buffers.Binary;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Hosting;

/// <summary>Gives every request a call id (a time-ordered UUID), echoed as <c>x-litellm-call-id</c> and used as the trace identifier.</summary>
internal sealed class CallIdMiddleware(RequestDelegate next, TimeProvider time)
{
    public const string HeaderName = "x-litellm-call-id";

    public Task InvokeAsync(HttpContext context)
    {
        var callId = NewCallId(time);
        context.TraceIdentifier = callId;
        context.Response.Headers[HeaderName] = callId;
        return next(context);
    }

    /// <summary>
    /// A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. The random bits come from
    /// <see cref="Random.Shared"/>: a call id has to be unique, not secret, and <see cref="Guid.CreateVersion7()"/>
    /// asks the kernel for its randomness on every call, a system call per request.
    /// </summary>
    public static string NewCallId(TimeProvider time)
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[6..]);
        var milliseconds = time.GetUtcNow().ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(milliseconds >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)milliseconds);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
