using Microsoft.AspNetCore.Http;
using Tollgate.Errors;
using Tollgate.Guardrails;
using Tollgate.Keys;
using Tollgate.Metering;
using Tollgate.Routing;

namespace Tollgate.Calls;

/// <summary>
/// One pass-through call, kept on <c>HttpContext.Features</c> from the route match to its spend-log row: the
/// request's facts (fixed once the key is admitted and the upstream chosen) and what came of it.
/// </summary>
internal sealed class PassThroughCall(HttpContext context, PassThroughRoute route, RawRequestTarget target, TimeProvider time)
{
    /// <summary>Start, upstream waits and first byte; a field so the struct is updated in place.</summary>
    public CallTiming Timing = new(time);

    public HttpContext Context { get; } = context;

    public PassThroughRoute Route { get; } = route;

    /// <summary>The canonical request target: every step reads it, and it is what is forwarded.</summary>
    public RawRequestTarget Target { get; } = target;

    /// <summary>The client's path (no query), as the spend row's <c>call_type</c> route.</summary>
    public string Path { get; } = target.Path.ToString();

    /// <summary><c>openai</c>, <c>bedrock</c>, … or <c>custom</c>: the name pricing and metering know the route by.</summary>
    public string Provider => Route.Provider;

    public string[] Tags { get; set; } = [];

    public Admission Admission { get; set; }

    /// <summary>The model the request names, when the gateway read it (path or body).</summary>
    public string? RequestModel { get; set; }

    /// <summary>The upstream URL, once built: the request then reaches the forwarder (not refused by the gateway).</summary>
    public Uri? UpstreamUri { get; private set; }

    /// <summary>What the route's preparer readied for the transformer (an access token, a buffered body).</summary>
    public object? CredentialState { get; private set; }

    public bool Forwarded => UpstreamUri is not null;

    /// <summary>Why the call failed, once it did: a refusal, a forwarding error, or the client leaving.</summary>
    public GatewayFailure? Failure { get; private set; }

    /// <summary>The failure was answered with the contract's error body (so its type goes on the row).</summary>
    public bool FailureAnswered { get; private set; }

    /// <summary>What each guardrail that applied decided; null when none applied.</summary>
    public List<GuardrailDecision>? Guardrails { get; set; }

    /// <summary>The answer held for post_call guardrails, and their plan; null when none apply.</summary>
    public (HeldResponseStream Stream, GuardrailPlan Plan)? HeldResponse { get; set; }

    public IResponseMeter? Meter { get; private set; }

    /// <summary>The meter has seen the whole answer (one a guardrail withheld); later writes are the gateway's own.</summary>
    public bool MeterSealed { get; private set; }

    /// <summary>
    /// The client's side ended the call early. After a provider failure mid-answer YARP aborts the client's
    /// connection itself, so an aborted request whose failure is the provider's is not the client's doing.
    /// </summary>
    public bool ClientAborted => Context.RequestAborted.IsCancellationRequested && Failure is not { ProviderSide: true };

    public void Forward(Uri upstream, object? credentialState)
    {
        UpstreamUri = upstream;
        CredentialState = credentialState;
    }

    /// <summary>Notes the call's failure; the first one stands.</summary>
    public void Fail(GatewayFailure failure, bool answered = false)
    {
        if (Failure is null)
        {
            Failure = failure;
            FailureAnswered = answered;
        }
    }

    /// <summary>Called with the first response byte: status and headers are final, so the meter can be chosen.</summary>
    public void ResponseStarted()
    {
        if (MeterSealed)
        {
            return;
        }

        Timing.FirstByte();
        var response = Context.Response;
        Meter = ResponseMeters.Create(Route.Dialect, Path[Target.TailStart..], RequestModel, response.StatusCode, response.ContentType, response.Headers);
    }

    /// <summary>
    /// Meters an answer the client will not get (a post_call guardrail refused it): the provider still
    /// counted its tokens. The answer's status and headers must still be in place.
    /// </summary>
    public void MeterWithheld(ReadOnlySpan<byte> body)
    {
        ResponseStarted();
        Meter?.Observe(body);
        MeterSealed = true;
    }
}
