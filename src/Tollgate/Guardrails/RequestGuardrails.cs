using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Tollgate.Calls;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Keys;
using Tollgate.Routing;

namespace Tollgate.Guardrails;

/// <summary>
/// Step (5) of the pass-through flow: the guardrails that apply to a call check its request and, when post_call
/// ones apply, hold its answer for <see cref="AnswerGuardrails"/>. Only called when some apply, so a route and key
/// without guardrails never have their body read or their answer held here.
/// </summary>
/// <remarks>
/// Requests: (a) merge the key's guardrails into the route's plans (each guardrail once; blocks, then masks,
/// then webhooks). (b) Refuse compressed bodies. (c) Read the body into a pooled buffer (shared with the model
/// check and Bedrock's signer) and find its texts by what the bytes are, whatever the Content-Type says: a
/// multipart form's text parts (binary files are skipped, and counted); a binary upload (audio, image, video,
/// octet-stream) whose bytes are not JSON is skipped; anything else is JSON, found by path, or refused. (d) Run
/// each guardrail on its texts (<see cref="GuardrailSteps"/>). (e) If a text changed, write the body again with only those
/// string tokens re-encoded and replay it with its new Content-Length. (f) With post_call guardrails, refuse
/// a request for a streamed answer, or one that cannot be told (<see cref="StreamRequest"/>), ask for an
/// uncompressed answer, and hold it.
/// Every decision goes on the call's spend-log row.
/// </remarks>
internal sealed class RequestGuardrails(GuardrailSteps steps, GuardrailRegistry registry, GatewayLimits limits)
{
    /// <summary>
    /// Whether guardrails run at all: three field reads, no allocation. When false the body is never read
    /// here and streams to the provider as it arrives, and the answer streams back.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Applies(PassThroughRoute route, StoredKey? key) =>
        route.Guardrails is not null || route.ResponseGuardrails is not null || key?.Guardrails.Count > 0;

    /// <returns>Null to go on forwarding (the body may have been rewritten), or the gateway's answer instead.</returns>
    public async ValueTask<GatewayFailure?> CheckAsync(PassThroughCall call)
    {
        var context = call.Context;
        var route = call.Route;
        var key = call.Admission.Key;

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
                    return new GatewayFailure(GatewayError.Misconfigured,
                        $"This key names the guardrail '{name}', which the gateway's config does not define; the request was not forwarded.");
                }

                extra.Add(guardrail);
            }

            requestPlan = Merge(requestPlan, route, GuardrailMode.PreCall, extra);
            responsePlan = Merge(responsePlan, route, GuardrailMode.PostCall, extra);
        }

        if (!route.IsCustomEndpoint && UnknownShape(call) is { } tail)
        {
            var steps = (requestPlan?.Steps ?? []).Concat(responsePlan?.Steps ?? []).ToList();
            var refusing = steps.FindIndex(s => s.Guardrail.OnUnknownShape == GuardrailUnknownShape.Refuse);
            if (refusing >= 0)
            {
                return new GatewayFailure(GatewayError.InvalidRequest,
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

        var scratch = new GuardrailSteps.Scratch();
        if (requestPlan is not null
            && await CheckRequestAsync(context, requestPlan, call.Guardrails ??= [], scratch) is { } refused)
        {
            return refused;
        }

        // (f)
        return responsePlan is null ? null : await HoldAnswerAsync(responsePlan, call);
    }

    private async ValueTask<GatewayFailure?> CheckRequestAsync(HttpContext context, GuardrailPlan plan, List<GuardrailDecision> decisions, GuardrailSteps.Scratch scratch)
    {
        // (b)
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            GuardrailSteps.AddAll(decisions, plan, GuardrailDecision.Allow, null);
            return null;
        }

        if (GuardrailSteps.Compressed(request.Headers.ContentEncoding) is { } encoding)
        {
            return new GatewayFailure(GatewayError.InvalidRequest,
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
            GuardrailSteps.AddAll(decisions, plan, GuardrailDecision.Allow, null);
            return null;
        }

        // What the bytes are decides, not what the client calls them.
        using var texts = new GuardrailTexts();
        var bytes = body.Memory.Span;
        if (MultipartBoundary(request.ContentType) is { } boundary)
        {
            if (ReadForm(bytes, boundary, texts, out var binaryParts) is { } problem)
            {
                return new GatewayFailure(GatewayError.InvalidRequest,
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
            GuardrailSteps.AddAll(decisions, plan, GuardrailDecision.Skip, mediaType);
            return null;
        }
        else if (!texts.TryExtract(bytes, plan.Paths))
        {
            return new GatewayFailure(GatewayError.InvalidRequest,
                "The request body is not valid JSON, so the guardrails that apply to it cannot examine it; it was not forwarded.");
        }

        // (d)
        if (await steps.RunAsync(context, plan, texts, decisions, scratch) is { } refused)
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

    private async ValueTask<GatewayFailure?> HoldAnswerAsync(GuardrailPlan plan, PassThroughCall call)
    {
        var context = call.Context;

        // Decided before the provider is called (and charges): a stream cannot be checked.
        var request = context.Request;
        var asks = StreamRequest.StreamingPath(call.Path) ? StreamRequest.Answer.Streamed : StreamRequest.Answer.NotStreamed;
        if (asks == StreamRequest.Answer.NotStreamed && GuardrailSteps.Compressed(request.Headers.ContentEncoding) is not null)
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
            return new GatewayFailure(GatewayError.InvalidRequest,
                $"Guardrail '{name}' checks answers (post_call) and cannot check a streamed one; send this request without streaming.");
        }

        if (asks == StreamRequest.Answer.CannotTell)
        {
            return new GatewayFailure(GatewayError.InvalidRequest,
                $"Guardrail '{name}' checks answers (post_call), and whether this request asks for a streamed one cannot be told: "
                + "its body is compressed, or starts like JSON but is not strict JSON (no comments, no trailing data, at most 512 levels deep).");
        }

        // The answer must be readable as it will be checked: ask for it uncompressed.
        request.Headers.Remove("Accept-Encoding");
        var failOpen = plan.Steps.All(s => s.Guardrail.OnError == GuardrailOnError.FailOpen);
        call.HeldResponse = (HeldResponseStream.Install(context, limits.MaxRequestBodyBytes, passThroughOnOverflow: failOpen), plan);
        return null;
    }

    private static GuardrailPlan? Merge(GuardrailPlan? plan, PassThroughRoute route, GuardrailMode mode, List<Guardrail> extra)
    {
        var ofMode = extra.Where(g => g.Mode == mode).ToList();
        return ofMode.Count == 0 ? plan : (plan ?? GuardrailPlan.Base(route.IsCustomEndpoint, mode)).With(ofMode);
    }

    /// <summary>
    /// The path of an operation whose text fields the gateway does not know (<see cref="KnownOperations"/>), when the
    /// call has a body that is not a form (a form's text parts are all examined); null otherwise.
    /// </summary>
    private static string? UnknownShape(PassThroughCall call)
    {
        var context = call.Context;
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false || request.ContentLength == 0
            || MultipartBoundary(request.ContentType) is not null)
        {
            return null;
        }

        var tail = call.Target.Tail;
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
}
