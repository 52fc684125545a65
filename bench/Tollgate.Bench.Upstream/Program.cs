using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tollgate.Bench.Upstream;

// The fake OpenAI of bench/run.sh: `Tollgate.Bench.Upstream [--port N]` (0 picks a free port) listens on
// 127.0.0.1 and prints "Now listening on: http://127.0.0.1:N". Every option is per request (FakeChatOptions).
var port = args is ["--port", var p] ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : 0;

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port);
});

var app = builder.Build();
var responses = new FakeChatResponses();
app.Run(context => FakeChat.HandleAsync(context, responses));
await app.StartAsync();

var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
Console.WriteLine($"Now listening on: {address}");
await app.WaitForShutdownAsync();
