using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Forwarding;

/// <summary>
/// Sends a small request body in the same write as the upstream request's headers when the whole body
/// has already arrived. YARP's streamed body flushes the headers on their own first (so a slow upload
/// does not hold them back), which costs a second send, and a second receive upstream, on every call;
/// a typical chat request is one small JSON document that is complete in Kestrel's buffer by then.
/// Nothing waits here: a body still on its way, or one larger than <see cref="MaxBytes"/>, streams as before.
/// </summary>
/// <remarks>
/// YARP refuses a transformer that replaces its request content, so the transformer takes the bytes
/// (<see cref="TryTake"/>) and <see cref="Handler"/>, between YARP and the socket handler, swaps them in.
/// YARP's own content is then never started, and YARP does not wait for it.
/// </remarks>
internal static class ArrivedRequestBody
{
    /// <summary>About what fits in the upstream connection's write buffer next to the headers; larger bodies gain nothing.</summary>
    public const int MaxBytes = 3 * 1024;

    private static readonly HttpRequestOptionsKey<byte[]> BodyKey = new("tollgate.arrived_body");

    /// <summary>Takes the whole body out of Kestrel's buffer if it is small and already there, and marks the upstream request to carry it.</summary>
    public static void TryTake(HttpRequest request, HttpRequestMessage proxyRequest)
    {
        if (proxyRequest.Content is null || request.ContentLength is not { } length || length is <= 0 or > MaxBytes)
        {
            return;
        }

        var reader = request.BodyReader;
        if (!reader.TryRead(out var read))
        {
            return;
        }

        var buffer = read.Buffer;
        if (buffer.Length < length)
        {
            // Not all here yet: leave it for the forwarder, which reads these bytes again.
            reader.AdvanceTo(buffer.Start);
            return;
        }

        var body = GC.AllocateUninitializedArray<byte>((int)length);
        buffer.Slice(0, body.Length).CopyTo(body);
        reader.AdvanceTo(buffer.GetPosition(body.Length));
        proxyRequest.Options.Set(BodyKey, body);
    }

    /// <summary>Puts a taken body in place of the forwarder's streamed content, with the same content headers.</summary>
    public sealed class Handler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // The length check first: reading Options creates them, which a large body has no use for.
            if (request.Content is { Headers.ContentLength: > 0 and <= MaxBytes } streamed && request.Options.TryGetValue(BodyKey, out var body))
            {
                var content = new ByteArrayContent(body);
                foreach (var header in streamed.Headers)
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request.Content = content;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
