using System.Buffers;
using Microsoft.AspNetCore.Http;
using Tollgate.Calls;
using Tollgate.Errors;

namespace Tollgate.Guardrails;

/// <summary>
/// Step (9) of the pass-through flow when post_call guardrails held the answer: a 2xx JSON answer is checked
/// like a request body (<see cref="GuardrailSteps"/>), then sent (rewritten, with its new Content-Length) or
/// replaced by the refusal. An answer that cannot be checked follows each guardrail's <c>on_error</c>.
/// </summary>
internal sealed class AnswerGuardrails(GuardrailSteps steps)
{
    /// <summary>Puts the real response body back, then (if forwarding succeeded) checks the answer and sends it.</summary>
    /// <returns>The refusal to answer with instead of the provider's answer, or null once the answer is sent (or on a forwarding error, left to the caller).</returns>
    public async Task<GatewayFailure?> ReleaseAsync(PassThroughCall call, bool forwarded)
    {
        var context = call.Context;
        var (held, plan) = call.HeldResponse!.Value;
        held.Restore(context);
        if (!forwarded || held.PassingThrough)
        {
            if (held.PassingThrough)
            {
                GuardrailSteps.AddAll(call.Guardrails ??= [], plan, GuardrailDecision.FailOpen, "too_large");
            }

            return null;
        }

        var decisions = call.Guardrails ??= [];
        var response = context.Response;
        if (held.Overflowed)
        {
            return steps.CannotDecide(plan, new(UndecidedReason.TooLarge), decisions);
        }

        var answer = held.Held;
        if (answer.Length == 0)
        {
            // 204, 304, HEAD: no body, and no Content-Length to set.
            return null;
        }

        if (response.StatusCode is < 200 or > 299)
        {
            // Provider errors pass as they came (contract section 6).
            await SendAsync(context, answer);
            return null;
        }

        var contentType = response.ContentType ?? "";
        if (contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/vnd.amazon.eventstream", StringComparison.OrdinalIgnoreCase))
        {
            return await WithheldOrSentAsync(call, answer, steps.CannotDecide(plan, new(UndecidedReason.Streamed), decisions));
        }

        if (!contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            GuardrailSteps.AddAll(decisions, plan, GuardrailDecision.Skip, contentType.Length == 0 ? "no_content_type" : contentType.Split(';')[0].Trim());
            await SendAsync(context, answer);
            return null;
        }

        if (GuardrailSteps.Compressed(response.Headers.ContentEncoding) is not null)
        {
            return await WithheldOrSentAsync(call, answer, steps.CannotDecide(plan, new(UndecidedReason.Compressed), decisions));
        }

        var root = answer.Span.IndexOfAnyExcept(" \t\r\n"u8);
        if (root >= 0 && answer.Span[root] != (byte)'{')
        {
            // No provider answers a call with anything but an object; the answer's texts cannot be found.
            return await WithheldOrSentAsync(call, answer, steps.CannotDecide(plan, new(UndecidedReason.UnknownShape), decisions));
        }

        using var texts = new GuardrailTexts();
        if (!texts.TryExtract(answer.Span, plan.Paths))
        {
            return await WithheldOrSentAsync(call, answer, steps.CannotDecide(plan, new(UndecidedReason.InvalidJson), decisions));
        }

        if (await steps.RunAsync(context, plan, texts, decisions, new GuardrailSteps.Scratch()) is { } refused)
        {
            call.MeterWithheld(answer.Span);
            return refused;
        }

        if (!texts.Changed)
        {
            await SendAsync(context, answer);
            return null;
        }

        var length = texts.RewrittenLength(answer.Span);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            texts.Rewrite(answer.Span, buffer);
            await SendAsync(context, buffer.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return null;
    }

    /// <summary>Null (fail open): the answer goes out as it came. A refusal: the answer is metered, then withheld.</summary>
    private static async Task<GatewayFailure?> WithheldOrSentAsync(PassThroughCall call, ReadOnlyMemory<byte> answer, GatewayFailure? refusal)
    {
        if (refusal is null)
        {
            await SendAsync(call.Context, answer);
            return null;
        }

        call.MeterWithheld(answer.Span);
        return refusal;
    }

    private static async Task SendAsync(HttpContext context, ReadOnlyMemory<byte> body)
    {
        context.Response.ContentLength = body.Length;
        try
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while its answer was checked; the spend row records the abort.
        }
    }
}
