using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tollgate.Errors;

namespace Tollgate.Forwarding;

/// <summary>Process-wide request limits, from <c>general_settings</c>, and the answers for a body that breaks them.</summary>
internal sealed class GatewayLimits
{
    public GatewayLimits(double maxRequestSizeMb)
    {
        MaxRequestBodyBytes = (long)(maxRequestSizeMb * 1024 * 1024);
        BodyTooLarge = new(GatewayError.RequestTooLarge,
            $"The request body is larger than the gateway's limit of {maxRequestSizeMb.ToString(CultureInfo.InvariantCulture)} MiB (general_settings.max_request_size_mb).");
    }

    public long MaxRequestBodyBytes { get; }

    public GatewayFailure BodyTooLarge { get; }

    public static readonly GatewayFailure BodyUnreadable = new(GatewayError.InvalidRequest, "The request body could not be read from the client.");

    public static readonly GatewayFailure ClientLeftDuringBody = new(GatewayError.InvalidRequest, "The client went away while sending the request body.");

    /// <summary>What reading the client's body failed with, wherever it was read (a check that buffers it, or the forwarder).</summary>
    /// <param name="exception">The read's exception; Kestrel's limit error may arrive wrapped (an aggregate of the copy and the send).</param>
    public GatewayFailure BodyFailure(Exception? exception) => IsOverLimit(exception) ? BodyTooLarge : BodyUnreadable;

    /// <summary>Kestrel refused the body for its size, wherever in the exception chain that shows.</summary>
    public static bool IsOverLimit(Exception? exception) => exception switch
    {
        null => false,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsOverLimit),
        _ => IsOverLimit(exception.InnerException),
    };
}
