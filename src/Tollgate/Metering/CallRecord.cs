using Microsoft.AspNetCore.Http;
using Tollgate.Keys;
using Tollgate.Routing;

namespace Tollgate.Metering;

/// <summary>What one pass-through call did, gathered as it runs; becomes its spend-log row at the end.</summary>
internal sealed class CallRecord(HttpContext context, PassThroughRoute route, string path, int tailStart, DateTimeOffset startTime)
{
    public PassThroughRoute Route { get; } = route;

    /// <summary>The client's path (no query).</summary>
    public string Path { get; } = path;

    public DateTimeOffset StartTime { get; } = startTime;

    /// <summary>Stopwatch time the gateway first saw the request, for overhead measurements.</summary>
    public long StartTimestamp { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Gateway time before the provider was asked, in ms, once the provider answered.</summary>
    public double? OverheadMs { get; set; }

    /// <summary>The whole call's time minus its waits for the provider (headers and each part of the body), once forwarded.</summary>
    public TimeSpan? GatewayTime { get; set; }

    public KeyHash? KeyHash { get; set; }

    public string? KeyAlias { get; set; }

    /// <summary>The key has a budget: its shared counter (Redis) and when the window ends.</summary>
    public (string CounterKey, DateTimeOffset? WindowEnds)? Budget { get; set; }

    /// <summary>The key has a <c>tpm_limit</c>, so the call's tokens must be counted against it.</summary>
    public bool CountsTokens { get; set; }

    public string[] Tags { get; set; } = [];

    /// <summary>The upstream host, once the URL is built.</summary>
    public string? UpstreamHost { get; set; }

    /// <summary>The model the request names, when the gateway read it (path or body).</summary>
    public string? RequestModel { get; set; }

    /// <summary>The request reached the forwarder (as opposed to a refusal by the gateway).</summary>
    public bool Forwarded { get; set; }

    /// <summary>What each guardrail that applied decided; null when none applied.</summary>
    public List<Guardrails.GuardrailDecision>? Guardrails { get; set; }

    /// <summary>The answer held for post_call guardrails, and their plan; null when none apply.</summary>
    public (Guardrails.HeldResponseStream Stream, Guardrails.GuardrailPlan Plan)? HeldResponse { get; set; }

    /// <summary>The meter has seen the whole answer (one a guardrail withheld); later writes are the gateway's own.</summary>
    public bool MeterSealed { get; private set; }

    /// <summary>Why the forwarder stopped early, if it did (<c>None</c> otherwise).</summary>
    public string? ForwardingError { get; set; }

    /// <summary>The forwarder's error when the provider's side failed (not the client's); null otherwise.</summary>
    public Yarp.ReverseProxy.Forwarder.ForwarderError? UpstreamError { get; set; }

    public DateTimeOffset? FirstByteTime { get; private set; }

    /// <summary>
    /// The client's side ended the call early. After a provider failure mid-answer YARP aborts the client's
    /// connection itself, so an aborted request with <see cref="UpstreamError"/> set is the provider's doing.
    /// </summary>
    public bool ClientAborted => Context.RequestAborted.IsCancellationRequested && UpstreamError is null;

    public IResponseMeter? Meter { get; private set; }

    public HttpContext Context { get; } = context;

    /// <summary><c>openai</c>, <c>bedrock</c>, … or <c>custom</c>: the name pricing and metering know the route by.</summary>
    public string Provider => Route.Provider;

    /// <summary>Called with the first response byte: status and headers are final, so the meter can be chosen.</summary>
    public void ResponseStarted(DateTimeOffset now)
    {
        if (MeterSealed)
        {
            return;
        }

        FirstByteTime = now;
        var response = Context.Response;
        Meter = ResponseMeters.Create(Route.Dialect, Path[tailStart..], RequestModel, response.StatusCode, response.ContentType, response.Headers);
    }

    /// <summary>
    /// Meters an answer the client will not get (a post_call guardrail refused it): the provider still
    /// counted its tokens. The answer's status and headers must still be in place.
    /// </summary>
    public void MeterWithheld(ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ResponseStarted(now);
        Meter?.Observe(body);
        MeterSealed = true;
    }
}
