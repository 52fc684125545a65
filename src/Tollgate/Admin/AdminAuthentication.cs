using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Errors;
using Tollgate.Keys;

namespace Tollgate.Admin;

/// <summary>Admin routes take the master key only, in a header: none or an unknown key is 401, a virtual key 403.</summary>
internal static class AdminAuthentication
{
    public static async ValueTask<object?> RequireMasterKeyAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var master = context.RequestServices.GetRequiredService<MasterKey>();
        if (master.Hash is not { } masterHash)
        {
            await RefuseAsync(context, GatewayError.Unauthenticated,
                "The gateway has no master key, so its admin API is closed: set general_settings.master_key (or LITELLM_MASTER_KEY).");
            return Results.Empty;
        }

        // Headers only: a key in the URL lands in access logs. On /key/info, ?key= names the key to look up.
        var presented = VirtualKeyReader.ReadFromHeaders(context.Request, out _);
        if (presented is null)
        {
            await RefuseAsync(context, GatewayError.Unauthenticated,
                "The admin API needs the master key in a header, as 'Authorization: Bearer sk-…' or 'x-litellm-api-key', never in the URL.");
            return Results.Empty;
        }

        if (KeyHash.Of(presented) == masterHash)
        {
            return await next(invocation);
        }

        var check = await context.RequestServices.GetRequiredService<IVirtualKeyAuthenticator>().CheckAsync(presented, context.RequestAborted);
        if (check.Key is not null)
        {
            await RefuseAsync(context, GatewayError.Forbidden, "Virtual keys cannot use the admin API; use the master key.");
        }
        else
        {
            await RefuseAsync(context, GatewayError.Unauthenticated, "Invalid API key.");
        }

        return Results.Empty;
    }

    private static Task RefuseAsync(HttpContext context, GatewayError error, string message) =>
        ErrorResponse.WriteAsync(context, new GatewayFailure(error, message));
}
