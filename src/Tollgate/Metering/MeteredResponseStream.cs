using Microsoft.AspNetCore.Http;
using Tollgate.Calls;
using Tollgate.Forwarding;
using Tollgate.Metering.Costs;
using Tollgate.Metering.Meters;
using Tollgate.Metering.Parsing;

namespace Tollgate.Metering;

/// <summary>
/// The response body as the client receives it. Every write goes to the client first, then the same
/// bytes go to the call's <see cref="IResponseMeter"/>, so parsing never holds a byte back; the one
/// exception is cost reporting (contract section 6), below. Notes when the first byte left, for the
/// spend row's <c>completionStartTime</c>. The time from one write's end (the client took the bytes) to the
/// next write is the forwarder waiting for the provider's next bytes, so the call can tell the gateway's own
/// time from the provider's; a slow reader's back-pressure is the gateway's side, not the provider's.
/// </summary>
/// <remarks>
/// The first write, when status and headers are final, picks how the body goes out:
/// <list type="number">
/// <item>Cost injection (<c>include_cost_in_streaming_usage</c>): an SSE answer of a built-in provider
/// whose dialect has a streamed usage object (OpenAI shapes, Anthropic, Gemini / Vertex AI). The bytes go
/// through the meter first; its <see cref="SseCostInjector"/> passes each event on as soon as it is
/// complete, the final usage event with <c>"cost":X</c> added. Only with no <c>Content-Length</c> (SSE is
/// normally chunked; adding bytes under a declared length would break the framing) and no
/// <c>Content-Encoding</c> (compressed bytes are not events); otherwise the stream passes unchanged.</item>
/// <item>Held for the <c>x-litellm-response-cost</c> header: a 2xx JSON body metered as one document
/// (never a stream) with a <c>Content-Length</c> of at most <see cref="MaxHeldBodyBytes"/>, or none. It
/// is gathered in a pooled buffer; when the provider's body has ended (<see cref="CompleteAsync"/>) the
/// header is set, if the cost is known, and the bytes go out unchanged. A body without length that
/// outgrows the limit is sent on as it comes, without the header.</item>
/// <item>Header at once: the cost is known before the body (Bedrock InvokeModel's token-count headers;
/// a custom endpoint's <c>cost_per_request</c> for a body no meter reads).</item>
/// <item>Otherwise, and always when none of the above applies: pass-through as described first.</item>
/// </list>
/// Whatever the mode, the write that completes a body of declared <c>Content-Length</c> is held back too, as is
/// the body held for its cost header: at its last byte the answer is complete for the client, and that must not
/// happen before the call's row is journaled (issue 12: a gateway killed with <c>kill -9</c> keeps the row of
/// every answer a client got whole). <see cref="SendHeldAsync"/> sends it once the row is. A chunked answer
/// needs no holding: its end is the last chunk, which Kestrel sends when the handler has returned.
/// </remarks>
internal sealed class MeteredResponseStream(Stream client, PassThroughCall call, CallPricing pricing) : WriteOnlyStream
{
    /// <summary>The largest JSON body held back to put its cost in a header: 1 MiB.</summary>
    public const int MaxHeldBodyBytes = 1024 * 1024;

    private Mode _mode;
    private bool _started;
    private SseResponseMeter? _injecting;
    private SseCostInjector? _injector;
    private PooledBuffer _held;

    /// <summary>The body's declared length, or -1; and how much of it the client has been sent.</summary>
    private long _declaredLength = -1;
    private long _sent;

    private enum Mode
    {
        PassThrough,
        InjectCost,
        HoldForCostHeader,
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            Start();
        }

        call.Timing.UpstreamArrived();
        var written = _mode switch
        {
            Mode.PassThrough => PassThroughAsync(buffer, cancellationToken),
            Mode.InjectCost => InjectAsync(buffer, cancellationToken),
            _ => HoldAsync(buffer, cancellationToken),
        };
        if (!written.IsCompletedSuccessfully)
        {
            return WaitForUpstreamWhenWrittenAsync(written);
        }

        written.GetAwaiter().GetResult();
        call.Timing.WaitingForUpstream();
        return default;
    }

    private async ValueTask WaitForUpstreamWhenWrittenAsync(ValueTask written)
    {
        await written;
        call.Timing.WaitingForUpstream();
    }

    /// <summary>A flush would send the headers; while the body is held for its cost header, nothing is sent.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _mode == Mode.HoldForCostHeader ? Task.CompletedTask : client.FlushAsync(cancellationToken);

    /// <summary>
    /// The provider's body has ended and the forwarder is done with it: sends what cost reporting still
    /// holds (the JSON body, now with its header; the stream's unfinished last block). Not called when
    /// forwarding failed: the client connection is aborted then, and <see cref="Release"/> drops it.
    /// </summary>
    /// <exception cref="IOException">The client went away, or injection lost bytes and the response must end broken.</exception>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        var response = call.Context.Response;
        switch (_mode)
        {
            case Mode.InjectCost:
                _injecting!.Complete();
                ThrowIfInjectionFaulted();
                await SendInjectedAsync(cancellationToken);
                break;

            case Mode.HoldForCostHeader:
                // The body stays held, now with its header, until the call's row is journaled.
                _mode = Mode.PassThrough;
                call.Meter!.Complete();
                SetCostHeader(response);
                break;

            case Mode.PassThrough when !_started && !response.HasStarted && IsSuccess(response.StatusCode) && call.Route.CostPerRequest is not null:
                // No body at all: nothing to meter, the cost is the route's.
                SetCostHeader(response);
                break;
        }
    }

    /// <summary>
    /// Sends the held end of the body (see the remarks); called once the call's row is journaled.
    /// </summary>
    /// <returns>False when the client has gone: the connection is aborted, so the cut answer never looks complete.</returns>
    public async ValueTask<bool> SendHeldAsync(CancellationToken cancellationToken)
    {
        if (_held.Count == 0)
        {
            return true;
        }

        try
        {
            await client.WriteAsync(_held.WrittenMemory, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            call.Context.Abort();
            return false;
        }
        finally
        {
            _held.Release();
        }
    }

    /// <summary>
    /// Forwarding failed: what cost reporting held is dropped (none of it was sent, or the forwarder has
    /// aborted the client connection) and a later write, the gateway's error answer, goes straight to the
    /// client. The meter completes with the usage as far as seen; it does not read the error answer.
    /// </summary>
    public void Abandon()
    {
        if (_mode == Mode.PassThrough)
        {
            return;
        }

        _mode = Mode.PassThrough;
        Release();
        call.Meter?.Complete();
    }

    /// <summary>Returns pooled buffers; called once the call is over, whatever happened.</summary>
    public void Release()
    {
        _held.Release();
        _injector?.Release();
    }

    public override void Flush() => client.Flush();

    /// <summary>Puts the meter between the response and the client for this request.</summary>
    public static MeteredResponseStream Install(PassThroughCall call, CallPricing pricing)
    {
        var context = call.Context;
        var stream = new MeteredResponseStream(context.Response.Body, call, pricing);
        context.Response.Body = stream;
        return stream;
    }

    private void Start()
    {
        _started = true;
        _declaredLength = call.Context.Response.ContentLength ?? -1;
        if (call.MeterSealed)
        {
            // A post_call guardrail withheld the answer and metered it; this is the gateway's refusal.
            return;
        }

        call.ResponseStarted();
        var response = call.Context.Response;
        switch (call.Meter)
        {
            case SseResponseMeter sse when pricing.InjectIntoStreams && !call.Route.IsCustomEndpoint
                && sse.StreamedUsageObject is { } path && response.ContentLength is null && IsIdentityEncoded(response):
                _injector = new SseCostInjector(path, () => pricing.ReportedCost(call));
                sse.InjectCost(_injector);
                _injecting = sse;
                _mode = Mode.InjectCost;
                break;

            case JsonBodyResponseMeter { Usage.Reported: true }:
                // Bedrock InvokeModel: its token-count headers are the usage, the body adds nothing.
                SetCostHeader(response);
                break;

            case JsonBodyResponseMeter when response.ContentLength is null or <= MaxHeldBodyBytes && IsIdentityEncoded(response):
                _mode = Mode.HoldForCostHeader;
                break;

            case null when IsSuccess(response.StatusCode) && call.Route.CostPerRequest is not null && !IsEventStream(response.ContentType):
                SetCostHeader(response);
                break;
        }
    }

    private async ValueTask PassThroughAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await SendAsync(buffer, cancellationToken);
        if (!call.MeterSealed)
        {
            call.Meter?.Observe(buffer.Span);
        }
    }

    /// <summary>To the client, except the write that completes a declared length: that waits for <see cref="SendHeldAsync"/>.</summary>
    private ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        _sent += buffer.Length;
        if (_sent == _declaredLength && !buffer.IsEmpty)
        {
            _held.Append(buffer.Span);
            return default;
        }

        return client.WriteAsync(buffer, cancellationToken);
    }

    private async ValueTask InjectAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        _injecting!.Observe(buffer.Span);
        ThrowIfInjectionFaulted();
        await SendInjectedAsync(cancellationToken);
    }

    private async ValueTask SendInjectedAsync(CancellationToken cancellationToken)
    {
        var output = _injector!.Output;
        if (!output.IsEmpty)
        {
            await client.WriteAsync(output, cancellationToken);
            _injector.ClearOutput();
        }
    }

    /// <summary>
    /// The meter's reader faults are caught before they reach the splitter, so this is the splitter itself
    /// failing (a bug, never bad input): the bytes it held are gone, and a stream with a hole must not look
    /// complete. The forwarder fails the response on this error: a 502 if nothing was sent yet, else an abort.
    /// </summary>
    private void ThrowIfInjectionFaulted()
    {
        if (_injecting!.Faulted)
        {
            throw new IOException("Cost injection failed to split the event stream; the response is cut.");
        }
    }

    private ValueTask HoldAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        call.Meter!.Observe(buffer.Span);
        if (_held.Count + buffer.Length <= MaxHeldBodyBytes)
        {
            _held.Append(buffer.Span);
            return default;
        }

        return StopHoldingAsync(buffer, cancellationToken);
    }

    /// <summary>A body without <c>Content-Length</c> outgrew the limit: what is held goes out, and the rest as it comes, without the header.</summary>
    private async ValueTask StopHoldingAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        _mode = Mode.PassThrough;
        if (_held.Count > 0)
        {
            await client.WriteAsync(_held.WrittenMemory, cancellationToken);
        }

        _held.Release();
        await client.WriteAsync(buffer, cancellationToken);
    }

    private void SetCostHeader(HttpResponse response)
    {
        if (!response.HasStarted && pricing.ReportedCost(call) is { } cost)
        {
            response.Headers[CallPricing.ResponseCostHeader] = CostJson.Format(cost);
        }
    }

    private static bool IsSuccess(int statusCode) => statusCode is >= 200 and <= 299;

    private static bool IsIdentityEncoded(HttpResponse response)
    {
        var encoding = response.Headers.ContentEncoding;
        return encoding.Count == 0 || (encoding.Count == 1 && string.Equals(encoding[0], "identity", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsEventStream(string? contentType) =>
        contentType is not null && (contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/vnd.amazon.eventstream", StringComparison.OrdinalIgnoreCase));
}
