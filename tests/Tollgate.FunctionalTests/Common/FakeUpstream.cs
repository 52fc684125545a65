using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// A real Kestrel server on 127.0.0.1:0 playing a provider. It records each request (target, headers,
/// body bytes) before the handler runs, so tests can assert exactly what reached the "provider".
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary><c>http://127.0.0.1:port</c>, no trailing slash.</summary>
    public string Origin => BaseUri.GetLeftPart(UriPartial.Authority);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public RecordedRequest LastRequest => Requests.Last();

    /// <param name="handler">Answers each request the way the provider would.</param>
    /// <param name="recordBody">False for handlers that must read the body themselves as it streams.</param>
    public static async Task<FakeUpstream> StartAsync(RequestDelegate handler, bool recordBody = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeUpstream? self = null;
        app.Use(async (context, next) =>
        {
            var body = Array.Empty<byte>();
            if (recordBody && !context.WebSockets.IsWebSocketRequest)
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                body = buffer.ToArray();
                context.Request.Body = new MemoryStream(body);
            }

            var feature = context.Features.GetRequiredFeature<IHttpRequestFeature>();
            self!.Requests.Enqueue(new RecordedRequest(
                context.Request.Method,
                feature.RawTarget,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase),
                body));
            await next(context);
        });
        app.UseWebSockets();
        app.Run(handler);
        await app.StartAsync().DefaultTimeout();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        self = new FakeUpstream(app, new Uri(address));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().DefaultTimeout();
        await _app.DisposeAsync();
    }
}
