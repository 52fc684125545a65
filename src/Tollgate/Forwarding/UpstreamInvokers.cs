using System.Diagnostics;
using System.Net;

namespace Tollgate.Forwarding;

/// <summary>
/// One tuned <see cref="SocketsHttpHandler"/> per upstream origin, shared by every route to it and
/// disposed with the app. No redirects, cookies, proxy or decompression: the gateway forwards bytes.
/// </summary>
internal sealed class UpstreamInvokers : IDisposable
{
    private readonly Dictionary<string, HttpMessageInvoker> _byOrigin = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long to wait for a TCP/TLS connection to an upstream. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public HttpMessageInvoker For(string origin)
    {
        lock (_byOrigin)
        {
            if (!_byOrigin.TryGetValue(origin, out var invoker))
            {
                invoker = new HttpMessageInvoker(new ArrivedRequestBody.Handler(CreateHandler()), disposeHandler: true);
                _byOrigin[origin] = invoker;
            }

            return invoker;
        }
    }

    private SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = ConnectTimeout,
        EnableMultipleHttp2Connections = true,
        // Re-resolve DNS now and then; provider endpoints move.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        // Providers have no use for our trace context.
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
        MaxConnectionsPerServer = int.MaxValue,
    };

    public void Dispose()
    {
        lock (_byOrigin)
        {
            foreach (var invoker in _byOrigin.Values)
            {
                invoker.Dispose();
            }

            _byOrigin.Clear();
        }
    }
}
