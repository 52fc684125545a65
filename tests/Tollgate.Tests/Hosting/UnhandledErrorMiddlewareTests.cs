using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Tollgate.Hosting;

namespace Tollgate.Tests.Hosting;

public sealed class UnhandledErrorMiddlewareTests
{
    [Fact]
    public async Task An_unexpected_exception_is_answered_with_the_contracts_json_500()
    {
        var context = new DefaultHttpContext { TraceIdentifier = "call-1" };
        context.Response.Body = new MemoryStream();
        var middleware = new UnhandledErrorMiddleware(_ => throw new InvalidOperationException("a bug"), NullLogger<UnhandledErrorMiddleware>.Instance);

        await middleware.InvokeAsync(context);

        Assert.Equal(StatusCodes.Status500InternalServerError, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        var error = JsonDocument.Parse(((MemoryStream)context.Response.Body).ToArray()).RootElement.GetProperty("error");
        Assert.Equal("internal_error", error.GetProperty("type").GetString());
        Assert.Equal("500", error.GetProperty("code").GetString());
        Assert.Contains("call-1", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("a bug", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
