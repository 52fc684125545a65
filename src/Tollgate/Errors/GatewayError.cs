using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tollgate.Errors;

/// <summary>Every error the gateway answers itself; <see cref="GatewayErrors.Of"/> says how each is answered.</summary>
internal enum GatewayError
{
    InvalidRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RequestTooLarge,

    /// <summary>The client sent its body too slowly (Kestrel's minimum data rate).</summary>
    RequestTimedOut,

    BudgetExceeded,
    RateLimited,
    GuardrailViolation,

    /// <summary>The client left before the answer started: logged as nginx does, 499, with no body.</summary>
    ClientClosedRequest,

    Misconfigured,
    Internal,
    Overloaded,
    KeyStoreUnavailable,
    DatabaseUnavailable,
    GuardrailUnavailable,
    UpstreamCredential,
    UpstreamUnreachable,
    UpstreamTimeout,
}

/// <summary>The one table from a <see cref="GatewayError"/> to its answer and its log line.</summary>
internal static class GatewayErrors
{
    /// <param name="Status">The HTTP status.</param>
    /// <param name="Type">The contract's <c>error.type</c> (<see cref="ErrorTypes"/>); null when no body is written.</param>
    /// <param name="Level">How loud the refusal's log line is: a client's mistake is routine, the gateway's own is not.</param>
    /// <param name="RetryAfter">Seconds for <c>Retry-After</c>, when waiting helps; a failure may name its own.</param>
    internal readonly record struct Answer(int Status, string? Type, LogLevel Level, string? RetryAfter = null);

    public static Answer Of(GatewayError error) => error switch
    {
        GatewayError.InvalidRequest => new(StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest, LogLevel.Debug),
        GatewayError.Unauthenticated => new(StatusCodes.Status401Unauthorized, ErrorTypes.Authentication, LogLevel.Debug),
        GatewayError.Forbidden => new(StatusCodes.Status403Forbidden, ErrorTypes.Forbidden, LogLevel.Debug),
        GatewayError.NotFound => new(StatusCodes.Status404NotFound, ErrorTypes.NotFound, LogLevel.Debug),
        GatewayError.MethodNotAllowed => new(StatusCodes.Status405MethodNotAllowed, ErrorTypes.MethodNotAllowed, LogLevel.Debug),
        GatewayError.RequestTooLarge => new(StatusCodes.Status413PayloadTooLarge, ErrorTypes.RequestTooLarge, LogLevel.Debug),
        GatewayError.RequestTimedOut => new(StatusCodes.Status408RequestTimeout, ErrorTypes.InvalidRequest, LogLevel.Debug),
        GatewayError.BudgetExceeded => new(StatusCodes.Status400BadRequest, ErrorTypes.BudgetExceeded, LogLevel.Debug),
        GatewayError.RateLimited => new(StatusCodes.Status429TooManyRequests, ErrorTypes.RateLimited, LogLevel.Debug),
        GatewayError.GuardrailViolation => new(StatusCodes.Status400BadRequest, ErrorTypes.GuardrailViolation, LogLevel.Debug),
        GatewayError.ClientClosedRequest => new(StatusCodes.Status499ClientClosedRequest, null, LogLevel.Debug),
        GatewayError.Misconfigured => new(StatusCodes.Status500InternalServerError, ErrorTypes.Configuration, LogLevel.Warning),
        GatewayError.Internal => new(StatusCodes.Status500InternalServerError, ErrorTypes.Internal, LogLevel.Error),
        GatewayError.Overloaded => new(StatusCodes.Status503ServiceUnavailable, ErrorTypes.Overloaded, LogLevel.Warning, "2"),
        GatewayError.KeyStoreUnavailable => new(StatusCodes.Status503ServiceUnavailable, ErrorTypes.KeyStoreUnavailable, LogLevel.Warning, "5"),
        GatewayError.DatabaseUnavailable => new(StatusCodes.Status503ServiceUnavailable, ErrorTypes.DatabaseUnavailable, LogLevel.Warning, "5"),
        GatewayError.GuardrailUnavailable => new(StatusCodes.Status503ServiceUnavailable, ErrorTypes.GuardrailUnavailable, LogLevel.Warning),
        GatewayError.UpstreamCredential => new(StatusCodes.Status502BadGateway, ErrorTypes.UpstreamCredential, LogLevel.Warning),
        GatewayError.UpstreamUnreachable => new(StatusCodes.Status502BadGateway, ErrorTypes.UpstreamUnreachable, LogLevel.Warning),
        GatewayError.UpstreamTimeout => new(StatusCodes.Status504GatewayTimeout, ErrorTypes.UpstreamTimeout, LogLevel.Warning),
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}
