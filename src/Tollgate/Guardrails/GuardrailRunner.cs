using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Keys;
using Tollgate.Metering;
using Tollgate.Routing;
using Tollgate.Telemetry;

namespace Tollgate.Guardrails;

/// <summary>
/// Runs guardrails: step (5) of the pass-through flow on the request, and step (9) on the answer when
/// post_call guardrails apply. Only called when some apply, so a route and key without guardrails never
/// have their body read or their answer held here.
/// </summary>
/// <remarks>
/// Requests: (a) merge the key's guardrails into the route's plans (each guardrail once; blocks, then masks,
/// then webhooks). (b) Refuse compressed bodies. (c) Read the body into a pooled buffer (shared with the model
/// check and Bedrock's signer) and find its texts by what the bytes are, whatever the Content-Type says: a
/// multipart form's text parts (binary files are skipped, and counted); a binary upload (audio, image, video,
/// octet-stream) whose bytes are not JSON is skipped; anything else is JSON, found by path, or refused. (d) Run
/// each guardrail on its texts: a block refuses with 400 <c>guardrail_violation</c> naming the guardrail and
/// category; a mask replaces the matched spans; a webhook answers allow, block or mask. A guardrail that
/// cannot decide follows its <c>on_error</c>. (e) If a text changed, write the body again with only those
/// string tokens re-encoded and replay it with its new Content-Length. (f) With post_call guardrails, refuse
/// a request for a streamed answer, or one that cannot be told (<see cref="StreamRequest"/>), ask for an
/// uncompressed answer, and hold it.
/// Answers (<see cref="ReleaseResponseAsync"/>): a 2xx JSON answer is checked like a request body, then
/// sent (rewritten, with its new Content-Length) or replaced by the refusal. Every decision goes on the
/// call's spend-log row.
/// </remarks>
internal sealed partial class GuardrailRunner(
    GuardrailWebhookClient webhooks, GuardrailRegistry registry, GatewayLimits limits, TimeProvider time, ILogger<GuardrailRunner> logger)
{
    /// <summary>
    /// Whether guardrails run at all: three field reads, no allocation. When false the body is never read
    /// here and streams to the provider as it arrives, and the answer streams back.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Applies(PassThroughRoute route, StoredKey? key) =>
        route.Guardrails is not null || route.ResponseGuardrails is not null || key?.Guardrails.Count > 0;

    /// <returns>Null to go on forwarding (the body may have been rewritten), or the gateway's answer instead.</returns>
    public async ValueTask<GatewayFailure?> RunAsync(HttpContext context, PassThroughRoute route, StoredKey? key, CallRecord call)
    {
        // (a)
        var requestPlan = route.Guardrails;
        var responsePlan = route.ResponseGuardrails;
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

            requestPlan = Merge(requestPlan, route, GuardrailMode.PreCall, extra);
            responsePlan = Merge(responsePlan, route, GuardrailMode.PostCall, extra);
        }

        if (!route.IsCustomEndpoint && UnknownShape(context, route, call) is { } tail)
        {
            var steps = (requestPlan?.Steps ?? []).Concat(responsePlan?.Steps ?? []).ToList();
            var refusing = steps.FindIndex(s => s.Guardrail.OnUnknownShape == GuardrailUnknownShape.Refuse);
            if (refusing >= 0)
            {
                return new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest,
                    $"Guardrail '{steps[refusing].Guardrail.Name}' applies to this call, and the gateway does not know where {route.Prefix}{tail} "
                    + "holds the text a model reads, so it was not forwarded (on_unknown_shape: forward on the guardrails forwards such calls unexamined).");
            }

            var decisions = call.Guardrails ??= [];
            foreach (var step in steps)
            {
                decisions.Add(new GuardrailDecision(step.Guardrail.Name, GuardrailDecision.Skip, "unknown_shape"));
            }

            return null;
        }

        var scratch = new Scratch();
        if (requestPlan is not null
            && await CheckRequestAsync(context, requestPlan, call.Guardrails ??= [], scratch) is { } refused)
        {
            return refused;
        }

        // (f)
        return responsePlan is null ? null : await HoldResponseAsync(context, responsePlan, call);
    }

    private async ValueTask<GatewayFailure?> CheckRequestAsync(HttpContext context, GuardrailPlan plan, List<GuardrailDecision> decisions, Scratch scratch)
    {
        // (b)
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            AddAll(decisions, plan, GuardrailDecision.Allow, null);
            return null;
        }

        if (Compressed(request.Headers.ContentEncoding) is { } encoding)
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

        // What the bytes are decides, not what the client calls them.
        using var texts = new GuardrailTexts();
        var bytes = body.Memory.Span;
        if (MultipartBoundary(request.ContentType) is { } boundary)
        {
            if (ReadForm(bytes, boundary, texts, out var binaryParts) is { } problem)
            {
                return new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest,
                    $"Guardrails apply to this request and cannot examine its multipart form: {problem}; it was not forwarded.");
            }

            if (binaryParts > 0)
            {
                foreach (var step in plan.Steps)
                {
                    decisions.Add(new GuardrailDecision(step.Guardrail.Name, GuardrailDecision.Skip, "binary_part", binaryParts));
                }
            }
        }
        else if (!StartsLikeJson(bytes) && Binary(request.ContentType) is { } mediaType)
        {
            AddAll(decisions, plan, GuardrailDecision.Skip, mediaType);
            return null;
        }
        else if (!texts.TryExtract(bytes, plan.Paths))
        {
            return new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest,
                "The request body is not valid JSON, so the guardrails that apply to it cannot examine it; it was not forwarded.");
        }

        // (d)
        if (await RunStepsAsync(context, plan, texts, decisions, scratch) is { } refused)
        {
            return refused;
        }

        // (e)
        if (texts.Changed)
        {
            var length = texts.RewrittenLength(body.Memory.Span);
            var buffer = BodyBuffers.Rent(Math.Max(length, 1));
            texts.Rewrite(body.Memory.Span, buffer);
            body.Replace(buffer, length);
        }

        return null;
    }

    private async ValueTask<GatewayFailure?> HoldResponseAsync(HttpContext context, GuardrailPlan plan, CallRecord call)
    {
        // Decided before the provider is called (and charges): a stream cannot be checked.
        var request = context.Request;
        var asks = StreamRequest.StreamingPath(call.Path) ? StreamRequest.Answer.Streamed : StreamRequest.Answer.NotStreamed;
        if (asks == StreamRequest.Answer.NotStreamed && Compressed(request.Headers.ContentEncoding) is not null)
        {
            asks = StreamRequest.Answer.CannotTell;
        }
        else if (asks == StreamRequest.Answer.NotStreamed)
        {
            var (body, failure) = await BufferedRequestBody.TryReadAsync(context, limits, context.RequestAborted);
            if (failure is not null)
            {
                return failure;
            }

            asks = await StreamRequest.ReadAsync(body!.Memory, request.ContentType, context.RequestAborted);
        }

        var name = plan.Steps[0].Guardrail.Name;
        if (asks == StreamRequest.Answer.Streamed)
        {
            return new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest,
                $"Guardrail '{name}' checks answers (post_call) and cannot check a streamed one; send this request without streaming.");
        }

        if (asks == StreamRequest.Answer.CannotTell)
        {
            return new GatewayFailure(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest,
                $"Guardrail '{name}' checks answers (post_call), and whether this request asks for a streamed one cannot be told: "
                + "its body is compressed, or starts like JSON but is not strict JSON (no comments, no trailing data, at most 512 levels deep).");
        }

        // The answer must be readable as it will be checked: ask for it uncompressed.
        request.Headers.Remove("Accept-Encoding");
        var failOpen = plan.Steps.All(s => s.Guardrail.OnError == GuardrailOnError.FailOpen);
        call.HeldResponse = (HeldResponseStream.Install(context, limits.MaxRequestBodyBytes, passThroughOnOverflow: failOpen), plan);
        return null;
    }

    /// <summary>
    /// Step (9) when the answer was held: puts the real response body back, then (if forwarding succeeded)
    /// checks a 2xx JSON answer and sends it, rewritten or as it came.
    /// </summary>
    /// <returns>The refusal to answer with instead of the provider's answer, or null once the answer is sent (or on a forwarding error, left to the caller).</returns>
    public async Task<GatewayFailure?> ReleaseResponseAsync(HttpContext context, CallRecord call, bool forwarded)
    {
        var (held, plan) = call.HeldResponse!.Value;
        held.Restore(context);
        if (!forwarded || held.PassingThrough)
        {
            if (held.PassingThrough)
            {
                AddAll(call.Guardrails ??= [], plan, GuardrailDecision.FailOpen, "too_large");
            }

            return null;
        }

        var decisions = call.Guardrails ??= [];
        var response = context.Response;
        if (held.Overflowed)
        {
            return CannotDecideOnAnswer(plan, "too_large", decisions);
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
            return await WithheldOrSentAsync(context, call, answer, CannotDecideOnAnswer(plan, "streamed", decisions));
        }

        if (!contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            AddAll(decisions, plan, GuardrailDecision.Skip, contentType.Length == 0 ? "no_content_type" : contentType.Split(';')[0].Trim());
            await SendAsync(context, answer);
            return null;
        }

        if (Compressed(response.Headers.ContentEncoding) is not null)
        {
            return await WithheldOrSentAsync(context, call, answer, CannotDecideOnAnswer(plan, "compressed", decisions));
        }

        var root = answer.Span.IndexOfAnyExcept(" \t\r\n"u8);
        if (root >= 0 && answer.Span[root] != (byte)'{')
        {
            // No provider answers a call with anything but an object; the answer's texts cannot be found.
            return await WithheldOrSentAsync(context, call, answer, CannotDecideOnAnswer(plan, "unknown_shape", decisions));
        }

        using var texts = new GuardrailTexts();
        if (!texts.TryExtract(answer.Span, plan.Paths))
        {
            return await WithheldOrSentAsync(context, call, answer, CannotDecideOnAnswer(plan, "invalid_json", decisions));
        }

        if (await RunStepsAsync(context, plan, texts, decisions, new Scratch()) is { } refused)
        {
            call.MeterWithheld(answer.Span, time.GetUtcNow());
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
    private async Task<GatewayFailure?> WithheldOrSentAsync(HttpContext context, CallRecord call, ReadOnlyMemory<byte> answer, GatewayFailure? refusal)
    {
        if (refusal is null)
        {
            await SendAsync(context, answer);
            return null;
        }

        call.MeterWithheld(answer.Span, time.GetUtcNow());
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

    private GatewayFailure? CannotDecideOnAnswer(GuardrailPlan plan, string reason, List<GuardrailDecision> decisions)
    {
        foreach (var step in plan.Steps)
        {
            if (CannotDecide(step.Guardrail, reason, decisions) is { } refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    private async ValueTask<GatewayFailure?> RunStepsAsync(HttpContext context, GuardrailPlan plan, GuardrailTexts texts, List<GuardrailDecision> decisions, Scratch scratch)
    {
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

        return null;
    }

    private static GuardrailPlan? Merge(GuardrailPlan? plan, PassThroughRoute route, GuardrailMode mode, List<Guardrail> extra)
    {
        var ofMode = extra.Where(g => g.Mode == mode).ToList();
        return ofMode.Count == 0 ? plan : (plan ?? GuardrailPlan.Base(route.IsCustomEndpoint, mode)).With(ofMode);
    }

    private static string? Compressed(Microsoft.Extensions.Primitives.StringValues encoding) =>
        encoding.Count > 0 && !string.Equals(encoding.ToString(), "identity", StringComparison.OrdinalIgnoreCase) ? encoding.ToString() : null;

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
            "too_large" => $"the answer is larger than {limits.MaxRequestBodyBytes} bytes",
            "streamed" => "the answer was streamed",
            "compressed" => "the answer was compressed",
            "invalid_json" => "the answer is not valid JSON",
            "unknown_shape" => "the answer is not a JSON object",
            _ => $"its webhook answered {reason.Replace("http_", "HTTP ", StringComparison.Ordinal)}",
        };
        return new GatewayFailure(StatusCodes.Status503ServiceUnavailable, ErrorTypes.GuardrailUnavailable,
            $"Guardrail '{guardrail.Name}' could not decide ({what}) and fails closed; "
            + (guardrail.Mode == GuardrailMode.PostCall ? "the provider's answer was withheld." : "the request was not forwarded."));
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

    /// <summary>
    /// The path of an operation whose text fields the gateway does not know (<see cref="KnownOperations"/>), when the
    /// call has a body that is not a form (a form's text parts are all examined); null otherwise.
    /// </summary>
    private static string? UnknownShape(HttpContext context, PassThroughRoute route, CallRecord call)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false || request.ContentLength == 0
            || MultipartBoundary(request.ContentType) is not null)
        {
            return null;
        }

        var tail = call.Path.AsSpan(Math.Min(route.Prefix.Length, call.Path.Length));
        return KnownOperations.Contains(tail) ? null : tail.ToString();
    }

    /// <summary>A binary media type (audio, image, video, octet-stream): such a body is skipped unless its bytes are JSON.</summary>
    private static string? Binary(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return null;
        }

        var mediaType = parsed.MediaType.ToString().ToLowerInvariant();
        return mediaType.StartsWith("audio/", StringComparison.Ordinal)
            || mediaType.StartsWith("image/", StringComparison.Ordinal)
            || mediaType.StartsWith("video/", StringComparison.Ordinal)
            || mediaType == "application/octet-stream"
            ? mediaType
            : null;
    }

    /// <summary>A multipart body's boundary (empty when it names none), or null for any other body.</summary>
    private static string? MultipartBoundary(string? contentType)
    {
        var semicolon = contentType?.IndexOf(';') ?? -1;
        var mediaType = (semicolon < 0 ? contentType : contentType![..semicolon])?.Trim();
        if (mediaType is null || !mediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // Parsers differ on which of two boundaries counts.
        if (contentType!.IndexOf("boundary=", StringComparison.OrdinalIgnoreCase) != contentType.LastIndexOf("boundary=", StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }

        return MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? HeaderUtilities.RemoveQuotes(parsed.Boundary).ToString() : "";
    }

    /// <summary>
    /// Adds the form's text parts to <paramref name="texts"/>: every field, and every file whose bytes are UTF-8
    /// text. A file that is not (no valid UTF-8, or a NUL byte) is counted in <paramref name="binaryParts"/> and left.
    /// </summary>
    /// <returns>Null, or why the form cannot be examined.</returns>
    private static string? ReadForm(ReadOnlySpan<byte> body, string boundary, GuardrailTexts texts, out int binaryParts)
    {
        binaryParts = 0;
        var parts = new List<FormParts.Part>();
        if (FormParts.Split(body, boundary, parts) is { } problem)
        {
            return problem;
        }

        foreach (var part in parts)
        {
            var content = body.Slice(part.ContentStart, part.ContentLength);
            if (System.Text.Unicode.Utf8.IsValid(content) && !content.Contains((byte)0))
            {
                texts.AddPlain(body, part.ContentStart, part.ContentLength);
            }
            else if (part.IsFile)
            {
                binaryParts++;
            }
            else
            {
                return $"the field '{part.Name}' is not UTF-8 text";
            }
        }

        return null;
    }

    /// <summary>The first byte past white space and a byte-order mark opens a JSON object or array.</summary>
    private static bool StartsLikeJson(ReadOnlySpan<byte> body)
    {
        body = body.StartsWith(Encoding.UTF8.Preamble) ? body[Encoding.UTF8.Preamble.Length..] : body;
        var first = body.IndexOfAnyExcept(" \t\r\n"u8);
        return first >= 0 && body[first] is (byte)'{' or (byte)'[';
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
