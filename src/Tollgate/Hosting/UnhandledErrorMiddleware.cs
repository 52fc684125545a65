using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tollgate.Errors;
using Tollgate.Telemetry;

namespace Tollgate.Hosting;

/// <summary>
/// The last resort: an exception nothing else handled becomes the contract's JSON error instead of
/// Kestrel's empty 500. A body Kestrel refused (over the size limit, malformed framing) keeps its status.
/// </summary>
internal sealed partial class UnhandledErrorMiddleware(RequestDelegate next, ILogger<UnhandledErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var error = e.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => GatewayError.RequestTooLarge,
                StatusCodes.Status408RequestTimeout => GatewayError.RequestTimedOut,
                _ => GatewayError.InvalidRequest,
            };
            await ErrorResponse.WriteAsync(context, new GatewayFailure(error, "The request could not be read: " + e.Message));
        }
        catch (Exception e) when (e is not BadHttpRequestException)
        {
            Log.Unhandled(logger, context.Request.Method, context.Request.Path.Value ?? "", context.TraceIdentifier, e);
            await ErrorResponse.WriteAsync(context, new GatewayFailure(GatewayError.Internal,
                $"The gateway failed to handle this request (call {context.TraceIdentifier}); its log has the details."));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.UnhandledError, LogLevel.Error, "{Method} {Path} failed with an unexpected error, call {CallId}")]
        public static partial void Unhandled(ILogger logger, string method, string path, string callId, Exception exception);
    }
}
