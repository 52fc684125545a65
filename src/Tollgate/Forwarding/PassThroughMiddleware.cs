using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Tollgate.Calls;
using Tollgate.Errors;
using Tollgate.Guardrails;
using Tollgate.Keys;
using Tollgate.Metering;
using Tollgate.Metering.Costs;
using Tollgate.Requests;
using Tollgate.Routing;
using Tollgate.Spend;
using Tollgate.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Tollgate.Forwarding;

/// <summary>The pass-through handler: everything between a client's request and the provider.</summary>
/// <remarks>
/// (0) Make the request target canonical (<see cref="CanonicalTarget"/>): every step below reads that one form,
///     and it is the form forwarded. Match its path to a route; anything else goes on to the admin/health
///     endpoints or a 404. A matched request becomes a <see cref="PassThroughCall"/>, kept as a feature.
/// (1) Refuse methods a custom endpoint does not allow (405), and more or longer tags than allowed (400).
/// (2) Admit the caller (<see cref="KeyGate"/>): its key (401), allowed routes and models (403), budget (400),
///     request limits (429, with a parallel slot held to the end), WebSocket handshakes (403); without auth,
///     the key carriers that hold one of our keys.
/// (3) Refuse a route whose provider is not configured, naming the missing setting (500).
/// (4) Refuse a declared body over the limit before any upstream work (413); for a provider whose answers
///     name no model (Cohere), read the JSON body's model for pricing.
/// (5) Guardrails, only when the route or the key has some (<see cref="RequestGuardrails"/>): read the body,
///     block (400) or mask it, and hold the answer for post_call ones; otherwise the body is not touched
///     here and streams to the provider, and the answer streams back.
///     Wherever a body must be held in memory (model check, guardrails, Bedrock signing) and the gateway's
///     buffered-bytes budget cannot take it now, the call is answered 503 with Retry-After.
/// (6) Build the upstream URL from the configured origin and the client's tail; unsafe paths get 400.
///     Cloud providers' preparers pick a regional host, mint a token or buffer the body to sign here
///     (after (5), so Bedrock signs the masked bytes).
/// (7) The call now holds its upstream, which the transformer reads from it.
/// (8) Forward with YARP: headers by <see cref="PassThroughTransformer"/>, bodies streamed both ways; the
///     response body passes through <see cref="MeteredResponseStream"/>, which meters it and, for cost
///     reporting, may hold back a small JSON body or the unfinished SSE event.
/// (9) With post_call guardrails the answer was held: check it (<see cref="AnswerGuardrails"/>), then send it
///     or the refusal. Map a forwarding failure to the contract's JSON error if nothing was sent yet; otherwise
///     YARP has aborted the client connection so a cut stream never looks complete. Then send what cost
///     reporting held.
/// (10) Write the access log line.
/// (11) Record the call's spend-log row, for every outcome (refusals, provider errors, aborted streams).
/// Steps (1) to (6) return a <see cref="GatewayFailure"/> rather than answering: the call notes it, and it is
/// answered in one place as <see cref="GatewayErrors"/> says.
/// </remarks>
internal sealed partial class PassThroughMiddleware(
    RequestDelegate next,
    RouteTable routes,
    KeyGate gate,
    IHttpForwarder forwarder,
    GatewayLimits limits,
    SpendRecorder spend,
    GatewayMetrics metrics,
    CallPricing pricing,
    RequestGuardrails requestGuardrails,
    AnswerGuardrails answerGuardrails,
    TimeProvider time,
    ILogger<PassThroughMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var target = RawRequestTarget.Of(CanonicalTarget.Normalize(RawTarget(context)));

        // (0)
        if (!routes.TryMatch(target.Path, out var route, out var tailStart))
        {
            return next(context);
        }

        var call = new PassThroughCall(context, route, target.WithTail(tailStart), time);
        context.Features.Set(call);
        return ForwardAsync(call);
    }

    private async Task ForwardAsync(PassThroughCall call)
    {
        // (11) Whatever happens below, the call gets its spend-log row.
        spend.Started();
        var context = call.Context;
        var body = MeteredResponseStream.Install(call, pricing);
        using var activity = GatewayTracing.Source.StartActivity("tollgate.pass_through");
        try
        {
            if (await PrepareAsync(call) is { } refused)
            {
                await RefuseAsync(call, refused);
            }
            else
            {
                await ForwardPreparedAsync(call, body);
            }
        }
        catch (RequestBufferBudgetException e) when (!context.Response.HasStarted)
        {
            // Whichever reader needed the body (model check, guardrails, Bedrock signing), nothing was sent yet.
            await RefuseAsync(call, new GatewayFailure(GatewayError.Overloaded, e.Message));
        }
        finally
        {
            call.Admission.ParallelSlot?.Dispose();
            call.Timing.Finish();
            try
            {
                await spend.RecordAsync(call, body);
            }
            finally
            {
                body.Release();
            }

            if (activity is not null)
            {
                Tag(activity, call);
            }
        }
    }

    /// <summary>Steps (1) to (7).</summary>
    /// <returns>Null once the call holds its upstream; otherwise why it is refused.</returns>
    private async ValueTask<GatewayFailure?> PrepareAsync(PassThroughCall call)
    {
        var context = call.Context;
        var route = call.Route;
        var request = context.Request;

        // (1)
        if (route.Methods.Count > 0 && !route.Methods.Contains(request.Method))
        {
            return new GatewayFailure(GatewayError.MethodNotAllowed, $"{request.Method} is not allowed on {route.Prefix}.")
            {
                Header = new("Allow", string.Join(", ", route.Methods)),
            };
        }

        if (!RequestTags.TryParse(request.Headers[RequestTags.HeaderName], request.Headers[RequestTags.ShortHeaderName], out var tags, out var tagProblem))
        {
            return new GatewayFailure(GatewayError.InvalidRequest, tagProblem!);
        }

        call.Tags = tags;

        // (2)
        if (await gate.AdmitAsync(call) is { } unadmitted)
        {
            return unadmitted;
        }

        // (3)
        if (route.ConfigurationProblem is { } problem)
        {
            return new GatewayFailure(GatewayError.Misconfigured, problem);
        }

        // (4)
        if (request.ContentLength > limits.MaxRequestBodyBytes)
        {
            return limits.BodyTooLarge;
        }

        // (4b) An answer that names no model (Cohere) is priced by the request's.
        if (route.ReadsModelFromRequest && call.RequestModel is null)
        {
            var read = await ModelAccess.ReadAsync(context, call.Path[call.Target.TailStart..], limits);
            if (read.Failure is { } unreadable)
            {
                return unreadable;
            }

            call.RequestModel = read.Model;
        }

        // (5)
        if (RequestGuardrails.Applies(route, call.Admission.Key) && await requestGuardrails.CheckAsync(call) is { } blocked)
        {
            return blocked;
        }

        // (6)
        var dropKeyParameter = (call.Admission.RemovedCarriers & KeyCarriers.KeyQueryParameter) != 0;
        if (route.Preparer is { } preparer)
        {
            var prepared = await preparer.PrepareAsync(context, route, call.Target, dropKeyParameter, context.RequestAborted);
            if (prepared.Failure is { } failure)
            {
                return failure;
            }

            // (7)
            call.Forward(prepared.Uri!, prepared.CredentialState);
        }
        else
        {
            var upstream = UpstreamUriBuilder.TryBuild(
                route.Upstream!, route.Query, call.Target.Tail, call.Target.Query, dropKeyParameter, out var pathProblem);
            if (upstream is null)
            {
                return GatewayFailure.UnsafePath(pathProblem);
            }

            // (7)
            call.Forward(upstream, null);
        }

        call.RequestModel ??= ModelAccess.FromPath(call.Path[call.Target.TailStart..]);
        return null;
    }

    /// <summary>Steps (8) to (10).</summary>
    private async Task ForwardPreparedAsync(PassThroughCall call, MeteredResponseStream body)
    {
        var context = call.Context;
        var route = call.Route;

        // (8) The transformer sets the full request URI; YARP only needs a prefix for its own fallback.
        var prefix = route.Upstream?.Origin ?? call.UpstreamUri!.GetLeftPart(UriPartial.Authority);
        var error = await forwarder.SendAsync(context, prefix, route.Invoker!, route.RequestConfig, PassThroughTransformer.Instance);
        call.Timing.UpstreamDone();

        // (9) A post_call guardrail releases the held answer first, so cost reporting then sees what the client gets.
        if (call.HeldResponse is not null
            && await answerGuardrails.ReleaseAsync(call, error == ForwarderError.None) is { } withheld)
        {
            await RefuseAsync(call, withheld);
        }
        else if (error != ForwarderError.None)
        {
            body.Abandon();
            await AnswerAsync(call, ForwardingFailure(call, error));
        }
        else if (!await TryCompleteBodyAsync(call, body))
        {
            call.Fail(GatewayFailure.ClientLeftAtEnd);
        }

        // (10)
        LogCompleted(call, error);
    }

    /// <summary>Sends what the response body held back for cost reporting; false when the client's side broke off.</summary>
    private async Task<bool> TryCompleteBodyAsync(PassThroughCall call, MeteredResponseStream body)
    {
        var context = call.Context;
        try
        {
            await body.CompleteAsync(context.RequestAborted);
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // As YARP does when a body write fails: abort, so a cut answer never looks complete.
            Log.ClientAborted(logger, call.Route.Name, ForwarderError.ResponseBodyClient, context.TraceIdentifier);
            context.Abort();
            return false;
        }
    }

    /// <summary>What a forwarding error means for the call, logged: the client's side, or the provider's.</summary>
    private GatewayFailure ForwardingFailure(PassThroughCall call, ForwarderError error)
    {
        var context = call.Context;
        var route = call.Route;
        var host = call.UpstreamUri!.Host;
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        switch (error)
        {
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled
                or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeResponseClient:
                Log.ClientAborted(logger, route.Name, error, context.TraceIdentifier);
                return ClientClosed(error);

            case ForwarderError.RequestBodyClient when GatewayLimits.IsOverLimit(exception):
                return limits.BodyTooLarge with { Forwarding = error };

            case ForwarderError.RequestBodyClient or ForwarderError.UpgradeRequestClient when context.RequestAborted.IsCancellationRequested:
                Log.ClientAborted(logger, route.Name, error, context.TraceIdentifier);
                return ClientClosed(error);

            case ForwarderError.RequestBodyClient or ForwarderError.UpgradeRequestClient:
                Log.ClientAborted(logger, route.Name, error, context.TraceIdentifier);
                return GatewayLimits.BodyUnreadable with { Forwarding = error };

            case ForwarderError.RequestTimedOut:
                Log.UpstreamFailed(logger, route.Name, host, error, exception?.GetType().Name, exception?.Message, context.TraceIdentifier);
                return new GatewayFailure(GatewayError.UpstreamTimeout,
                    $"The upstream for route '{route.Name}' ({host}) did not answer within {route.RequestConfig.ActivityTimeout!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s.")
                {
                    Forwarding = error,
                };

            default:
                // Request, RequestBodyDestination, ResponseHeaders, ResponseBodyDestination: the upstream refused,
                // reset or broke off. After the response started, YARP has already aborted the client connection;
                // before (a JSON body held for its cost header), the client gets the 502 in full.
                Log.UpstreamFailed(logger, route.Name, host, error, exception?.GetType().Name, exception?.Message, context.TraceIdentifier);
                return new GatewayFailure(GatewayError.UpstreamUnreachable,
                    $"The upstream for route '{route.Name}' ({host}) could not be reached or broke off before answering.")
                {
                    Forwarding = error,
                };
        }
    }

    private static GatewayFailure ClientClosed(ForwarderError error) =>
        new(GatewayError.ClientClosedRequest, "The client went away.") { Forwarding = error };

    /// <summary>A refusal by the gateway: logged, counted, answered.</summary>
    private Task RefuseAsync(PassThroughCall call, GatewayFailure failure)
    {
        var context = call.Context;
        var answer = GatewayErrors.Of(failure.Error);
        Log.RequestRejected(logger, answer.Level, context.Request.Method, call.Route.Name, answer.Status, answer.Type, context.TraceIdentifier);
        if (answer.Type is { } type)
        {
            metrics.Rejected(type);
        }

        return AnswerAsync(call, failure);
    }

    private static async Task AnswerAsync(PassThroughCall call, GatewayFailure failure) =>
        call.Fail(failure, answered: await ErrorResponse.TryWriteAsync(call.Context, failure));

    /// <summary>The span's attributes: what was called and how it went; never a key.</summary>
    private static void Tag(Activity activity, PassThroughCall call)
    {
        var status = call.Context.Response.StatusCode;
        activity.SetTag("tollgate.call_id", call.Context.TraceIdentifier);
        activity.SetTag("tollgate.provider", call.Provider);
        activity.SetTag("tollgate.route", call.Path);
        activity.SetTag("http.response.status_code", status);
        activity.SetTag("gen_ai.request.model", call.Meter?.Model ?? call.RequestModel);
        if (call.Meter?.Usage is { } usage)
        {
            activity.SetTag("gen_ai.usage.input_tokens", usage.InputTokens);
            activity.SetTag("gen_ai.usage.output_tokens", usage.OutputTokens);
        }

        if (call.Timing.Sent)
        {
            activity.SetTag("tollgate.overhead_ms", call.Timing.Overhead.TotalMilliseconds);
        }

        var forwarding = call.Failure?.Forwarding ?? ForwarderError.None;
        if (status >= 400 || forwarding != ForwarderError.None)
        {
            activity.SetStatus(ActivityStatusCode.Error, forwarding == ForwarderError.None ? null : forwarding.ToString());
        }
    }

    private void LogCompleted(PassThroughCall call, ForwarderError error)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var context = call.Context;
            Log.RequestForwarded(logger, context.Request.Method, call.Route.Name, context.Response.StatusCode,
                call.Timing.Elapsed.TotalMilliseconds, string.Join(',', call.Tags), error, context.TraceIdentifier);
        }
    }

    /// <summary>The request target exactly as the client sent it (origin-form), so encoded bytes are forwarded as they came.</summary>
    private static string RawTarget(HttpContext context)
    {
        var raw = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (raw.Length > 0 && raw[0] == '/')
        {
            return raw;
        }

        // Absolute-form ("http://host/path"): keep only the path and query; the host is never ours to take.
        var schemeEnd = raw.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return "";
        }

        var pathStart = raw.IndexOfAny(['/', '?'], schemeEnd + 3);
        return pathStart < 0 ? "/" : raw[pathStart] == '?' ? "/" + raw[pathStart..] : raw[pathStart..];
    }

    private static partial class Log
    {
        // Debug: a console line per request would throttle the proxy; spend logs are the durable record.
        [LoggerMessage(EventIds.RequestForwarded, LogLevel.Debug,
            "{Method} {Route} -> {StatusCode} in {ElapsedMs:0.###} ms, tags [{Tags}], forwarding error {ForwarderError}, call {CallId}",
            SkipEnabledCheck = true)]
        public static partial void RequestForwarded(ILogger logger, string method, string route, int statusCode, double elapsedMs, string tags, ForwarderError forwarderError, string callId);

        [LoggerMessage(EventIds.UpstreamFailed, LogLevel.Warning,
            "Upstream of route {Route} ({Host}) failed: {ForwarderError} {ExceptionType}: {ExceptionMessage}, call {CallId}")]
        public static partial void UpstreamFailed(ILogger logger, string route, string host, ForwarderError forwarderError, string? exceptionType, string? exceptionMessage, string callId);

        [LoggerMessage(EventIds.ClientAborted, LogLevel.Debug, "Client side of route {Route} ended early: {ForwarderError}, call {CallId}")]
        public static partial void ClientAborted(ILogger logger, string route, ForwarderError forwarderError, string callId);

        /// <remarks>Its level is the error's (<see cref="GatewayErrors"/>): a client's mistake is Debug, an unconfigured provider a Warning.</remarks>
        [LoggerMessage(EventId = EventIds.RequestRejected, Message = "{Method} {Route} rejected with {StatusCode} {ErrorType}, call {CallId}")]
        public static partial void RequestRejected(ILogger logger, LogLevel level, string method, string route, int statusCode, string? errorType, string callId);
    }
}
