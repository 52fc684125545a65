using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Tollgate.Errors;
using Tollgate.Keys;

namespace Tollgate.Hosting;

/// <summary>
/// A database error that reaches the top (an admin call, a budget window reset) becomes a clear 503 in
/// the contract's shape instead of an empty 500; the message names no connection details.
/// </summary>
/// <remarks>Pass-through calls answer their own (<see cref="Forwarding.PassThroughMiddleware"/>), so their spend rows record the 503.</remarks>
internal sealed class DatabaseOutageMiddleware(RequestDelegate next)
{
    public static readonly GatewayFailure Outage = new(GatewayError.DatabaseUnavailable, "The gateway's database is unreachable; retry shortly.");

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (e is DbException or KeyStoreUnavailableException && !context.Response.HasStarted)
        {
            await ErrorResponse.WriteAsync(context, Outage);
        }
    }
}
