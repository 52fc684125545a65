using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

// The .NET floor of bench/run.sh: `Tollgate.Bench.Forwarder --upstream http://127.0.0.1:N [--port N]`
// forwards every request, path and headers unchanged, to the upstream with IHttpForwarder and nothing
// else: no auth, no metering, no logging. Prints "Now listening on: http://127.0.0.1:N".
string? upstream = null;
var port = 0;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--upstream":
            upstream = args[i + 1];
            break;
        case "--port":
            port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            break;
        default:
            break;
    }
}

if (upstream is null)
{
    Console.Error.WriteLine("usage: Tollgate.Bench.Forwarder --upstream http://127.0.0.1:N [--port N]");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port);
});
builder.Services.AddHttpForwarder();

var app = builder.Build();

// The same handler settings as Tollgate's UpstreamInvokers: one SocketsHttpHandler, no redirects,
// cookies, proxy or decompression, no trace headers.
using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ConnectTimeout = TimeSpan.FromSeconds(10),
    EnableMultipleHttp2Connections = true,
    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
    MaxConnectionsPerServer = int.MaxValue,
}, disposeHandler: true);

var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
app.Run(ForwardAsync);
await app.StartAsync();

var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
Console.WriteLine($"Now listening on: {address}");
await app.WaitForShutdownAsync();
return 0;

// Errors are already answered (502/504) or the connection aborted by the forwarder: nothing else to do.
Task ForwardAsync(HttpContext context) =>
    forwarder.SendAsync(context, upstream, invoker, ForwarderRequestConfig.Empty, HttpTransformer.Default).AsTask();
