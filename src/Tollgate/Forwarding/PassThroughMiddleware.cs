using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Tollgate.Errors;
using Tollgate.Guardrails;
using Tollgate.Hosting;
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
///     endpoints or a 404.
/// (1) Refuse methods a custom endpoint does not allow (405), and more or longer tags than allowed (400).
/// (2) Read the virtual key from the first place that carries one and check it (401), then the key's
///     allowed routes and models (403; <see cref="ModelAccess"/>: a body the model is read from that parsers could
///     read differently is a 400), budget (400) and request limits (429); a parallel slot is held to the end.
///     Without auth, note which key carriers hold one of our keys. (2b) Refuse a WebSocket handshake from a
///     browser origin not allowed, or by a key whose limits need metering (<see cref="WebSocketPolicy"/>, 403).
/// (3) Refuse a route whose provider is not configured, naming the missing setting (500).
/// (4) Refuse a declared body over the limit before any upstream work (413); for a provider whose answers
///     name no model (Cohere), read the JSON body's model for pricing.
/// (5) Guardrails, only when the route or the key has some (<see cref="GuardrailRunner"/>): read the body,
///     block (400) or mask it, and hold the answer for post_call ones; otherwise the body is not touched
///     here and streams to the provider, and the answer streams back.
///     Wherever a body must be held in memory (model check, guardrails, Bedrock signing) and the gateway's
///     buffered-bytes budget cannot take it now, the call is answered 503 with Retry-After.
/// (6) Build the upstream URL from the configured origin and the client's tail; unsafe paths get 400.
///     Cloud providers' preparers pick a regional host, mint a token or buffer the body to sign here
///     (after (5), so Bedrock signs the masked bytes).
/// (7) Store the per-request state as a feature for the transformer.
/// (8) Forward with YARP: headers by <see cref="PassThroughTransformer"/>, bodies streamed both ways; the
///     response body passes through <see cref="MeteredResponseStream"/>, which meters it and, for cost
///     reporting, may hold back a small JSON body or the unfinished SSE event.
/// (9) With post_call guardrails the answer was held: check it, then send it or the refusal. Map a
///     forwarding failure to the contract's JSON error if nothing was sent yet; otherwise YARP has aborted
///     the client connection so a cut stream never looks complete. Then send what cost reporting held.
/// (10) Write the access log line.
/// (11) Queue the call's spend-log row, for every outcome (refusals, provider errors, aborted streams).
/// </remarks>
internal sealed partial class PassThroughMiddleware(
    RequestDelegate next,
    RouteTable routes,
    IVirtualKeyAuthenticator keys,
    KeyBudget budgets,
    IKeyLimiter limiter,
    IHttpForwarder forwarder,
    GatewayLimits limits,
    WebSocketPolicy webSockets,
    SpendRecorder spend,
    GatewayMetrics metrics,
    CallPricing pricing,
    GuardrailRunner guardrails,
    TimeProvider time,
    ILogger<PassThroughMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Every step below reads this one form, and it is the form that is sent.
        var rawTarget = CanonicalTarget.Normalize(RawTarget(context));
        var queryStart = rawTarget.IndexOf('?');
        var rawPath = queryStart < 0 ? rawTarget.AsSpan() : rawTarget.AsSpan(0, queryStart);

        // (0)
        if (!routes.TryMatch(rawPath, out var route, out var tailStart))
        {
            return next(context);
        }

        return ForwardAsync(context, route, rawTarget, tailStart, queryStart < 0 ? rawTarget.Length : queryStart);
    }

    private async Task ForwardAsync(HttpContext context, PassThroughRoute route, string rawTarget, int tailStart, int pathEnd)
    {
        // (11) Whatever happens below, the call gets its spend-log row.
        spend.Started();
        var call = new CallRecord(context, route, rawTarget[..pathEnd], tailStart, time.GetUtcNow());
        var body = MeteredResponseStream.Install(context, call, pricing, time);
        using var activity = GatewayTracing.Source.StartActivity("tollgate.pass_through");
        try
        {
            await ForwardCoreAsync(context, route, rawTarget, tailStart, pathEnd, call, body);
        }
        catch (DbException) when (!context.Response.HasStarted)
        {
            // A key's budget window could not be restarted: answered here, so the spend row has the 503.
            await RejectAsync(context, route, StatusCodes.Status503ServiceUnavailable, ErrorTypes.DatabaseUnavailable,
                DatabaseOutageMiddleware.Message, DatabaseOutageMiddleware.RetryAfter);
        }
        catch (RequestBufferBudgetException e) when (!context.Response.HasStarted)
        {
            // Whichever reader needed the body (model check, guardrails, Bedrock signing), nothing was sent yet.
            await RejectAsync(context, route, StatusCodes.Status503ServiceUnavailable, ErrorTypes.Overloaded, e.Message, new("Retry-After", "2"));
        }
        finally
        {
            if (context.Features.Get<PassThroughRequest>() is { SentTimestamp: > 0 } forwarded)
            {
                // Normally done once the forwarder returned; here in case it threw while still waiting.
                var ended = System.Diagnostics.Stopwatch.GetTimestamp();
                forwarded.UpstreamDone(ended);
                call.OverheadMs = forwarded.OverheadMs;
                call.GatewayTime = System.Diagnostics.Stopwatch.GetElapsedTime(call.StartTimestamp, ended)
                    - System.Diagnostics.Stopwatch.GetElapsedTime(0, forwarded.UpstreamWaitTicks);
            }

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

    private async Task ForwardCoreAsync(HttpContext context, PassThroughRoute route, string rawTarget, int tailStart, int pathEnd, CallRecord call, MeteredResponseStream body)
    {
        var started = time.GetTimestamp();
        var request = context.Request;

        // (1)
        if (route.Methods.Count > 0 && !route.Methods.Contains(request.Method))
        {
            await RejectAsync(context, route, StatusCodes.Status405MethodNotAllowed, ErrorTypes.MethodNotAllowed,
                $"{request.Method} is not allowed on {route.Prefix}.", new("Allow", string.Join(", ", route.Methods)));
            return;
        }

        if (!RequestTags.TryParse(request.Headers[RequestTags.HeaderName], request.Headers[RequestTags.ShortHeaderName], out var tags, out var tagProblem))
        {
            await RejectAsync(context, route, StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest, tagProblem!);
            return;
        }

        // (2)
        IDisposable? parallelSlot = null;
        StoredKey? guardedKey = null;
        var removedCarriers = KeyCarriers.All;
        KeyHash? keyHash = null;
        if (route.RequiresVirtualKey)
        {
            var key = VirtualKeyReader.Read(request, out _);
            if (await CheckKeyAsync(context, route, key) is not { } check)
            {
                return;
            }

            if (!check.Allowed)
            {
                await RejectAsync(context, route, StatusCodes.Status401Unauthorized, ErrorTypes.Authentication, AuthMessage(check.Outcome));
                return;
            }

            keyHash = check.Hash;
            call.KeyHash = keyHash;
            if (check.Key is { } stored)
            {
                call.KeyAlias = stored.KeyAlias;
                call.CountsTokens = stored.TpmLimit is not null;
                call.Budget = stored.MaxBudget is null ? null : (SharedBudgetCounter.CounterKey(stored), stored.BudgetResetAt);
                if (await CheckKeyPolicyAsync(context, route, stored, rawTarget, tailStart, pathEnd, call) is not { } granted)
                {
                    return;
                }

                parallelSlot = granted.Lease;
                guardedKey = stored;
            }
        }
        else
        {
            // Without auth the client's credentials go upstream, unless they hold one of our keys.
            // If the store cannot say, a carrier may hold one of our keys: refuse rather than forward it.
            if (await FindGatewayKeyCarriersAsync(context, route) is not { } ours)
            {
                return;
            }

            removedCarriers = ours;
            if (route.ForwardClientHeaders && VirtualKeyReader.Read(request, out _) is { } candidate)
            {
                if (await CheckKeyAsync(context, route, candidate) is not { } check)
                {
                    return;
                }

                if (check.Outcome == KeyCheckOutcome.Accepted)
                {
                    keyHash = check.Hash;
                    call.KeyHash = keyHash;
                    call.KeyAlias = check.Key?.KeyAlias;
                }
            }
        }

        using var heldSlot = parallelSlot;

        // (2b) A protocol switch (WebSocket) opens a session the gateway neither meters nor examines yet.
        if (WebSocketPolicy.IsHandshake(context) && webSockets.Refusal(request, guardedKey, GuardrailRunner.Applies(route, guardedKey)) is { } refusal)
        {
            await RejectAsync(context, route, StatusCodes.Status403Forbidden, ErrorTypes.Forbidden, refusal);
            return;
        }

        // (3)
        if (route.ConfigurationProblem is { } problem)
        {
            Log.ProviderNotConfigured(logger, route.Name);
            await RejectAsync(context, route, StatusCodes.Status500InternalServerError, ErrorTypes.Configuration, problem);
            return;
        }

        // (4)
        if (request.ContentLength > limits.MaxRequestBodyBytes)
        {
            await RejectAsync(context, route, StatusCodes.Status413PayloadTooLarge, ErrorTypes.RequestTooLarge, limits.BodyTooLargeMessage);
            return;
        }

        // (4b) An answer that names no model (Cohere) is priced by the request's.
        if (route.ReadsModelFromRequest && call.RequestModel is null)
        {
            var read = await ModelAccess.ReadAsync(context, rawTarget[tailStart..pathEnd], limits);
            if (read.Failure is { } unreadable)
            {
                await RejectAsync(context, route, unreadable.StatusCode, unreadable.Type, unreadable.Message);
                return;
            }

            call.RequestModel = read.Model;
        }

        // (5)
        if (GuardrailRunner.Applies(route, guardedKey))
        {
            if (await guardrails.RunAsync(context, route, guardedKey, call) is { } refused)
            {
                await RejectAsync(context, route, refused.StatusCode, refused.Type, refused.Message);
                return;
            }
        }

        // (6)
        var target = new RawRequestTarget(rawTarget, tailStart, pathEnd);
        var dropKeyParameter = (removedCarriers & KeyCarriers.KeyQueryParameter) != 0;
        Uri? upstreamUri;
        object? credentialState = null;
        if (route.Preparer is { } preparer)
        {
            var prepared = await preparer.PrepareAsync(context, route, target, dropKeyParameter, context.RequestAborted);
            if (prepared.Failure is { } failure)
            {
                await RejectAsync(context, route, failure.StatusCode, failure.Type, failure.Message);
                return;
            }

            upstreamUri = prepared.Uri!;
            credentialState = prepared.CredentialState;
        }
        else
        {
            upstreamUri = UpstreamUriBuilder.TryBuild(
                route.Upstream!, route.Query, target.Tail, target.Query, dropKeyParameter, out var pathProblem);
            if (upstreamUri is null)
            {
                await RejectAsync(context, route, StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest, $"Refused: {pathProblem}.");
                return;
            }
        }

        // (7)
        var state = new PassThroughRequest
        {
            Route = route,
            UpstreamUri = upstreamUri,
            RemovedCarriers = removedCarriers,
            KeyHash = keyHash,
            Tags = tags,
            CredentialState = credentialState,
            StartTimestamp = call.StartTimestamp,
        };
        context.Features.Set(state);
        call.Tags = state.Tags;
        call.UpstreamHost = upstreamUri.Host;
        call.RequestModel ??= ModelAccess.FromPath(rawTarget[tailStart..pathEnd]);
        call.Forwarded = true;

        // (8)
        // The transformer sets the full request URI; YARP only needs a prefix for its own fallback.
        var prefix = route.Upstream?.Origin ?? upstreamUri.GetLeftPart(UriPartial.Authority);
        var error = await forwarder.SendAsync(context, prefix, route.Invoker!, route.RequestConfig, PassThroughTransformer.Instance);
        state.UpstreamDone(System.Diagnostics.Stopwatch.GetTimestamp());

        // (9) A post_call guardrail releases the held answer first, so cost reporting then sees what the client gets.
        if (call.HeldResponse is not null
            && await guardrails.ReleaseResponseAsync(context, call, error == ForwarderError.None) is { } withheld)
        {
            await RejectAsync(context, route, withheld.StatusCode, withheld.Type, withheld.Message);
        }
        else if (error != ForwarderError.None)
        {
            body.Abandon();
            call.ForwardingError = error.ToString();
            await ReportForwardingErrorAsync(context, route, upstreamUri.Host, error, call);
        }
        else if (!await TryCompleteBodyAsync(context, route, body))
        {
            call.ForwardingError = nameof(ForwarderError.ResponseBodyClient);
        }

        // (10)
        LogCompleted(context, route, state.Tags, error, started);
    }

    /// <summary>Sends what the response body held back for cost reporting; false when the client's side broke off.</summary>
    private async Task<bool> TryCompleteBodyAsync(HttpContext context, PassThroughRoute route, MeteredResponseStream body)
    {
        try
        {
            await body.CompleteAsync(context.RequestAborted);
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // As YARP does when a body write fails: abort, so a cut answer never looks complete.
            Log.ClientAborted(logger, route.Name, ForwarderError.ResponseBodyClient, context.TraceIdentifier);
            context.Abort();
            return false;
        }
    }

    /// <summary>The span's attributes: what was called and how it went; never a key.</summary>
    private static void Tag(System.Diagnostics.Activity activity, CallRecord call)
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

        if (call.OverheadMs is { } overhead)
        {
            activity.SetTag("tollgate.overhead_ms", overhead);
        }

        if (status >= 400 || call.ForwardingError is not null)
        {
            activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, call.ForwardingError);
        }
    }

    /// <returns>The check, or null after answering 503 because the key store is unreachable.</returns>
    private async ValueTask<KeyCheck?> CheckKeyAsync(HttpContext context, PassThroughRoute route, string? key)
    {
        try
        {
            return await keys.CheckAsync(key, context.RequestAborted);
        }
        catch (KeyStoreUnavailableException)
        {
            await RejectKeyStoreUnavailableAsync(context, route);
            return null;
        }
    }

    /// <returns>On an endpoint without auth, the key carriers that hold one of our keys; null after answering 503.</returns>
    private async ValueTask<KeyCarriers?> FindGatewayKeyCarriersAsync(HttpContext context, PassThroughRoute route)
    {
        try
        {
            return await GatewayKeyCarriers.FindAsync(context.Request, route.ForwardClientHeaders, keys, context.RequestAborted);
        }
        catch (KeyStoreUnavailableException)
        {
            await RejectKeyStoreUnavailableAsync(context, route);
            return null;
        }
    }

    private Task RejectKeyStoreUnavailableAsync(HttpContext context, PassThroughRoute route) =>
        RejectAsync(context, route, StatusCodes.Status503ServiceUnavailable, ErrorTypes.KeyStoreUnavailable,
            "The gateway cannot check this key right now: its database is unreachable. Retry shortly.", new("Retry-After", "5"));

    /// <returns>The granted limits, or null after answering with the refusal.</returns>
    private async ValueTask<LimitDecision?> CheckKeyPolicyAsync(HttpContext context, PassThroughRoute route, StoredKey key, string rawTarget, int tailStart, int pathEnd, CallRecord call)
    {
        if (!key.AllowsRoute(rawTarget.AsSpan(0, pathEnd)))
        {
            await RejectAsync(context, route, StatusCodes.Status403Forbidden, ErrorTypes.Forbidden,
                $"This key may not call {route.Prefix}: its allowed_routes are {string.Join(", ", key.AllowedRoutes)}.");
            return null;
        }

        if (WebSocketPolicy.IsHandshake(context) && WebSocketPolicy.KeyRefusal(key) is { } sessionRefusal)
        {
            await RejectAsync(context, route, StatusCodes.Status403Forbidden, ErrorTypes.Forbidden, sessionRefusal);
            return null;
        }

        var tail = rawTarget[tailStart..pathEnd];
        var model = await ModelAccess.CheckAsync(context, route, key, tail, limits);
        call.RequestModel = model.Model;
        switch (model.Outcome)
        {
            case ModelAccess.Outcome.Unreadable:
                await RejectAsync(context, route, model.Failure!.StatusCode, model.Failure.Type, model.Failure.Message);
                return null;
            case ModelAccess.Outcome.Refused:
                await RejectAsync(context, route, StatusCodes.Status403Forbidden, ErrorTypes.Forbidden,
                    $"This key may not use the model '{model.Model}': its models are {string.Join(", ", key.Models)}.");
                return null;
            case ModelAccess.Outcome.Unknowable:
                await RejectAsync(context, route, StatusCodes.Status403Forbidden, ErrorTypes.Forbidden,
                    $"This key may only use the models in its list, and {context.Request.Method} {route.Prefix}{tail} does not name a model the gateway "
                    + $"can check: add \"{route.Prefix}{tail}\" to the key's allowed_routes to let it call this endpoint.");
                return null;
        }

        if (await budgets.CheckAsync(key, context.RequestAborted) is { } overBudget)
        {
            await RejectAsync(context, route, StatusCodes.Status400BadRequest, ErrorTypes.BudgetExceeded, overBudget);
            return null;
        }

        var decision = await limiter.TryAcquireAsync(key, context.RequestAborted);
        if (!decision.Allowed)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
            await RejectAsync(context, route, StatusCodes.Status429TooManyRequests, ErrorTypes.RateLimited, decision.Message!,
                new("Retry-After", seconds.ToString(CultureInfo.InvariantCulture)));
            return null;
        }

        return decision;
    }

    /// <summary>Answers or logs a forwarding failure; one on the provider's side is noted on <paramref name="call"/>.</summary>
    private async Task ReportForwardingErrorAsync(HttpContext context, PassThroughRoute route, string host, ForwarderError error, CallRecord call)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        switch (error)
        {
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled
                or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeResponseClient:
                Log.ClientAborted(logger, route.Name, error, context.TraceIdentifier);
                ClientClosedRequest(context);
                return;

            case ForwarderError.RequestBodyClient when IsBodyTooLarge(exception):
                await ErrorResponse.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, ErrorTypes.RequestTooLarge, limits.BodyTooLargeMessage);
                return;

            case ForwarderError.RequestBodyClient or ForwarderError.UpgradeRequestClient when context.RequestAborted.IsCancellationRequested:
                Log.ClientAborted(logger, route.Name, error, context.TraceIdentifier);
                ClientClosedRequest(context);
                return;

            case ForwarderError.RequestBodyClient or ForwarderError.UpgradeRequestClient:
                Log.ClientAborted(logger, route.Name, error, context.TraceIdentifier);
                await ErrorResponse.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest,
                    "The request body could not be read from the client.");
                return;

            case ForwarderError.RequestTimedOut:
                call.UpstreamError = error;
                Log.UpstreamFailed(logger, route.Name, host, error, exception?.GetType().Name, exception?.Message, context.TraceIdentifier);
                await ErrorResponse.WriteAsync(context, StatusCodes.Status504GatewayTimeout, ErrorTypes.UpstreamTimeout,
                    $"The upstream for route '{route.Name}' ({host}) did not answer within {route.RequestConfig.ActivityTimeout!.Value.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
                return;

            default:
                // Request, RequestBodyDestination, ResponseHeaders, ResponseBodyDestination: the upstream refused,
                // reset or broke off. After the response started, YARP has already aborted the client connection;
                // before (a JSON body held for its cost header), the client gets the 502 in full.
                call.UpstreamError = error;
                Log.UpstreamFailed(logger, route.Name, host, error, exception?.GetType().Name, exception?.Message, context.TraceIdentifier);
                if (!context.Response.HasStarted)
                {
                    await ErrorResponse.WriteAsync(context, StatusCodes.Status502BadGateway, ErrorTypes.UpstreamUnreachable,
                        $"The upstream for route '{route.Name}' ({host}) could not be reached or broke off before answering.");
                }

                return;
        }
    }

    /// <summary>The client left before the answer started: 499, as nginx logs it, rather than the 400 YARP sets.</summary>
    private static void ClientClosedRequest(HttpContext context)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
        }
    }

    /// <summary>Kestrel's limit error arrives wrapped (aggregate of the copy and the send), so look through the chain.</summary>
    private static bool IsBodyTooLarge(Exception? exception) => exception switch
    {
        null => false,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsBodyTooLarge),
        _ => IsBodyTooLarge(exception.InnerException),
    };

    private Task RejectAsync(HttpContext context, PassThroughRoute route, int status, string type, string message, KeyValuePair<string, string>? header = null)
    {
        Log.RequestRejected(logger, context.Request.Method, route.Name, status, type, context.TraceIdentifier);
        metrics.Rejected(type);
        return ErrorResponse.WriteAsync(context, status, type, message, header);
    }

    private static string AuthMessage(KeyCheckOutcome outcome) => outcome switch
    {
        KeyCheckOutcome.Missing => "No API key: send your Tollgate virtual key as 'Authorization: Bearer sk-…', 'x-litellm-api-key', or the provider SDK's usual key header.",
        KeyCheckOutcome.NoMasterKey => "The gateway has no master key, so it accepts no keys: set general_settings.master_key (or LITELLM_MASTER_KEY), or general_settings.allow_unauthenticated: true to run open.",
        KeyCheckOutcome.Expired => "This key has expired.",
        KeyCheckOutcome.Blocked => "This key is blocked.",
        _ => "Invalid API key.",
    };

    private void LogCompleted(HttpContext context, PassThroughRoute route, string[] tags, ForwarderError error, long started)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.RequestForwarded(logger, context.Request.Method, route.Name, context.Response.StatusCode,
                time.GetElapsedTime(started).TotalMilliseconds, string.Join(',', tags), error, context.TraceIdentifier);
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

        [LoggerMessage(EventIds.RequestRejected, LogLevel.Debug, "{Method} {Route} rejected with {StatusCode} {ErrorType}, call {CallId}")]
        public static partial void RequestRejected(ILogger logger, string method, string route, int statusCode, string errorType, string callId);

        [LoggerMessage(EventIds.ProviderNotConfigured, LogLevel.Warning, "Route {Route} was called but its provider is not configured")]
        public static partial void ProviderNotConfigured(ILogger logger, string route);
    }
}
