using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Keys;
using Tollgate.Metering;
using Tollgate.Routing;
using Tollgate.Telemetry;

namespace Tollgate.Guardrails;

/// <summary>
/// Step (5) of the pass-through flow: runs the union of the route's and the key's guardrails on the request
/// body. Only called when some apply, so a route and key without guardrails never have their body read here.
/// </summary>
/// <remarks>
/// (a) Merge the key's guardrails into the route's plan (each guardrail once, blocks, then masks, then webhooks).
/// (b) Skip bodies that are not text (multipart uploads, audio, images, octet-stream); refuse compressed ones.
/// (c) Read the body into a pooled buffer (shared with the model check and Bedrock's signer) and find its
///     texts by path; a body that is not JSON is refused, since nothing could be checked.
/// (d) Run each guardrail on its texts: a block refuses with 400 <c>guardrail_violation</c> naming the guardrail
///     and category; a mask replaces the matched spans; a webhook answers allow, block or mask. A guardrail
///     that cannot decide follows its <c>on_error</c>.
/// (e) If a text changed, write the body again with only those string tokens re-encoded, and replay it
///     with its new Content-Length. Every decision goes on the call's spend-log row.
/// </remarks>
internal sealed partial class GuardrailRunner(
    GuardrailWebhookClient webhooks, GuardrailRegistry registry, GatewayLimits limits, TimeProvider time, ILogger<GuardrailRunner> logger)
{
    /// <summary>
    /// Whether step (5) runs at all: two field reads, no allocation. When false the body is never read
    /// here and streams to the provider as it arrives.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Applies(PassThroughRoute route, StoredKey? key) => route.Guardrails is not null || key?.Guardrails.Count > 0;

    /// <returns>Null to go on forwarding (the body may have been rewritten), or the gateway's answer instead.</returns>
    public async ValueTask<GatewayFailure?> RunAsync(HttpContext context, PassThroughRoute route, StoredKey? key, CallRecord call)
    {
        // (a)
        var plan = route.Guardrails;
        if (key is { Guardrails.Count: > 0 })
        {
            var extra = new List<Guardrail>(key.Guardrails.Count);
            foreach (var name in key.Guardrails)
            {
                if (!registry.TryGet(name, out var guardrail))
                {
                    return new GatewayFailure(StatusCodes.Status500InternalServerError, ErrorTypes.Configuration,
                        $"This key names the guardrail '{name}', which the gateway's config does not define; the request was not forwarded.");
                }

                extra.Add(guardrail);
            }

            plan = (plan ?? (route.IsCustomEndpoint ? GuardrailPlan.EndpointBase : GuardrailPlan.ProviderBase)).With(extra);
        }

        if (plan is null || plan.Steps.Length == 0)
        {
            return null;
        }

        var decisions = call.Guardrails = new List<GuardrailDecision>(plan.Steps.Length);

        // (b)
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            AddAll(decisions, plan, GuardrailDecision.Allow, null);
            return null;
        }

        if (NotText(request.ContentType) is { } mediaType)
        {
            AddAll(decisions, plan, GuardrailDecision.Skip, mediaType);
            return null;
        }

        if (request.Headers.ContentEncoding is { Count: > 0 } encoding && !string.Equals(encoding.ToString(), "identity", StringComparison.OrdinalIgnoreCase))
        {
            return new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest,
                $"Guardrails apply to this request and cannot examine a compressed body (Content-Encoding: {encoding}); send it uncompressed.");
        }

        // (c)
        var (body, failure) = await BufferedRequestBody.TryReadAsync(context, limits, context.RequestAborted);
        if (failure is not null)
        {
            return failure;
        }

        if (body!.Length == 0)
        {
            AddAll(decisions, plan, GuardrailDecision.Allow, null);
            return null;
        }

        using var texts = new GuardrailTexts();
        if (!texts.TryExtract(body.Memory.Span, plan.Paths))
        {
            return new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest,
                "The request body is not valid JSON, so the guardrails that apply to it cannot examine it; it was not forwarded.");
        }

        // (d)
        var scratch = new Scratch();
        foreach (var step in plan.Steps)
        {
            var refusal = step.Guardrail.Kind == GuardrailKind.Webhook
                ? await RunWebhookAsync(context, step, texts, decisions, scratch)
                : RunDetector(step, texts, decisions, scratch);
            if (refusal is not null)
            {
                return refusal;
            }
        }

        // (e)
        if (texts.Changed)
        {
            var length = texts.RewrittenLength(body.Memory.Span);
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            texts.Rewrite(body.Memory.Span, buffer);
            body.Replace(buffer, length);
        }

        return null;
    }

    private GatewayFailure? RunDetector(GuardrailStep step, GuardrailTexts texts, List<GuardrailDecision> decisions, Scratch scratch)
    {
        var guardrail = step.Guardrail;
        var detector = guardrail.Detector!;
        var timed = guardrail.Kind is GuardrailKind.Regex or GuardrailKind.Keywords;
        var started = time.GetTimestamp();
        try
        {
            if (guardrail.Action == GuardrailAction.Block)
            {
                for (var i = 0; i < texts.Count; i++)
                {
                    if ((texts.Selectors(i) & step.Selector) == 0)
                    {
                        continue;
                    }

                    if (detector.FindFirst(texts.Text(i)) is { } category)
                    {
                        decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Block, category, 1));
                        return Violation(guardrail.Name, category);
                    }

                    CheckTime(timed, started, guardrail);
                }

                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow));
                return null;
            }

            var counts = scratch.Counts;
            counts.Clear();
            for (var i = 0; i < texts.Count; i++)
            {
                if ((texts.Selectors(i) & step.Selector) == 0)
                {
                    continue;
                }

                var matches = scratch.Matches;
                matches.Clear();
                var text = texts.Text(i);
                detector.FindAll(text, matches);
                if (matches.Count > 0)
                {
                    TextMasker.Normalize(matches);
                    foreach (var match in matches)
                    {
                        counts[match.Category] = counts.GetValueOrDefault(match.Category) + 1;
                    }

                    texts.Replace(i, TextMasker.Apply(text, matches, scratch.Builder));
                }

                CheckTime(timed, started, guardrail);
            }

            if (counts.Count == 0)
            {
                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow));
            }

            foreach (var (category, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Mask, category, count));
            }

            return null;
        }
        catch (RegexMatchTimeoutException)
        {
            return CannotDecide(guardrail, "timeout", decisions);
        }
    }

    private async Task<GatewayFailure?> RunWebhookAsync(HttpContext context, GuardrailStep step, GuardrailTexts texts, List<GuardrailDecision> decisions, Scratch scratch)
    {
        var guardrail = step.Guardrail;
        var selected = scratch.Selected;
        selected.Clear();
        for (var i = 0; i < texts.Count; i++)
        {
            if ((texts.Selectors(i) & step.Selector) != 0)
            {
                selected.Add(i);
            }
        }

        if (selected.Count == 0)
        {
            decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow));
            return null;
        }

        var verdict = await webhooks.CheckAsync(guardrail, texts, selected, context.TraceIdentifier, context.RequestAborted);
        switch (verdict.Kind)
        {
            case WebhookVerdict.Outcome.Allow:
                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow));
                return null;

            case WebhookVerdict.Outcome.Block:
                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Block, verdict.Category, 1));
                return Violation(guardrail.Name, verdict.Category!);

            case WebhookVerdict.Outcome.Mask:
                var changed = 0;
                for (var j = 0; j < selected.Count; j++)
                {
                    if (!texts.Text(selected[j]).SequenceEqual(verdict.Texts![j]))
                    {
                        texts.Replace(selected[j], verdict.Texts[j]);
                        changed++;
                    }
                }

                decisions.Add(changed == 0
                    ? new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow)
                    : new GuardrailDecision(guardrail.Name, GuardrailDecision.Mask, verdict.Category, changed));
                return null;

            case WebhookVerdict.Outcome.ClientAborted:
                return new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest, "The client went away while its request was being checked.");

            default:
                return CannotDecide(guardrail, verdict.Error!, decisions);
        }
    }

    private GatewayFailure? CannotDecide(Guardrail guardrail, string reason, List<GuardrailDecision> decisions)
    {
        var failOpen = guardrail.OnError == GuardrailOnError.FailOpen;
        Log.CouldNotDecide(logger, guardrail.Name, reason, failOpen ? "fail_open" : "fail_closed");
        decisions.Add(new GuardrailDecision(guardrail.Name, failOpen ? GuardrailDecision.FailOpen : GuardrailDecision.FailClosed, reason));
        if (failOpen)
        {
            return null;
        }

        var what = reason switch
        {
            "timeout" => $"it did not finish within {guardrail.Timeout.TotalMilliseconds:0} ms",
            "unreachable" => "its webhook could not be reached",
            "invalid_answer" => "its webhook's answer was not {\"action\": \"allow\" | \"block\" | \"mask\", \"texts\": [...]}",
            _ => $"its webhook answered {reason.Replace("http_", "HTTP ", StringComparison.Ordinal)}",
        };
        return new GatewayFailure(StatusCodes.Status503ServiceUnavailable, ErrorTypes.GuardrailUnavailable,
            $"Guardrail '{guardrail.Name}' could not decide ({what}) and fails closed; the request was not forwarded.");
    }

    private void CheckTime(bool timed, long started, Guardrail guardrail)
    {
        // Each regex call is bounded by its own timeout; this bounds the sum over many texts.
        if (timed && time.GetElapsedTime(started) > guardrail.Timeout)
        {
            throw new RegexMatchTimeoutException();
        }
    }

    private static GatewayFailure Violation(string name, string category) =>
        new(StatusCodes.Status400BadRequest, ErrorTypes.GuardrailViolation, $"Blocked by guardrail '{name}': {category}");

    private static void AddAll(List<GuardrailDecision> decisions, GuardrailPlan plan, string action, string? category)
    {
        foreach (var step in plan.Steps)
        {
            decisions.Add(new GuardrailDecision(step.Guardrail.Name, action, category));
        }
    }

    /// <summary>The media type of a body guardrails do not read (only text is examined), or null for one they do.</summary>
    private static string? NotText(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
        return mediaType.StartsWith("multipart/", StringComparison.Ordinal)
            || mediaType.StartsWith("audio/", StringComparison.Ordinal)
            || mediaType.StartsWith("image/", StringComparison.Ordinal)
            || mediaType.StartsWith("video/", StringComparison.Ordinal)
            || mediaType == "application/octet-stream"
            ? mediaType
            : null;
    }

    /// <summary>Per-request working lists, made once per guarded request.</summary>
    private sealed class Scratch
    {
        public List<TextMatch> Matches { get; } = [];

        public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

        public List<int> Selected { get; } = [];

        public StringBuilder Builder { get; } = new();
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.GuardrailCouldNotDecide, LogLevel.Warning, "Guardrail {Guardrail} could not decide ({Reason}); {OnError}")]
        public static partial void CouldNotDecide(ILogger logger, string guardrail, string reason, string onError);
    }
}
