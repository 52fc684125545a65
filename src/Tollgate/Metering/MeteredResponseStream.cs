using Microsoft.AspNetCore.Http;

namespace Tollgate.Metering;

/// <summary>
/// The response body as the client receives it: every write goes to the client first, then the same
/// bytes go to the call's <see cref="IResponseMeter"/>, so parsing never holds a byte back. Notes when
/// the first byte left, for the spend row's <c>completionStartTime</c>.
/// </summary>
internal sealed class MeteredResponseStream(Stream client, CallRecord call, TimeProvider time) : Stream
{
    private bool _started;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            _started = true;
            call.ResponseStarted(time.GetUtcNow());
        }

        await client.WriteAsync(buffer, cancellationToken);
        if (!call.MeterSealed)
        {
            call.Meter?.Observe(buffer.Span);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => client.FlushAsync(cancellationToken);

    // Kestrel forbids synchronous I/O; these exist only because Stream requires them.
    public override void Flush() => client.Flush();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous writes are not allowed.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Puts the meter between the response and the client for this request.</summary>
    public static void Install(HttpContext context, CallRecord call, TimeProvider time) =>
        context.Response.Body = new MeteredResponseStream(context.Response.Body, call, time);
}
