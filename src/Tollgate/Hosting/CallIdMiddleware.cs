using Microsoft.AspNetCore.Http;

namespace Tollgate.Hosting;

/// <summary>Gives every request a call id (a time-ordered UUID), echoed as <c>x-litellm-call-id</c> and used as the trace identifier.</summary>
internal sealed class CallIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "x-litellm-call-id";

    public Task InvokeAsync(HttpContext context)
    {
        var callId = Guid.CreateVersion7().ToString();
        context.TraceIdentifier = callId;
        context.Response.Headers[HeaderName] = callId;
        return next(context);
    }
}
