using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// A provider that answers every request with the same HTTP/1.1 response, written byte for byte. Kestrel
/// rewrites some response headers (its <c>Connection</c> only ever says keep-alive or close), so tests of
/// what the gateway does with them need a socket.
/// </summary>
public sealed class RawHttpUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _accepting;

    private RawHttpUpstream(TcpListener listener, byte[] response)
    {
        _listener = listener;
        _accepting = AcceptAsync(response);
    }

    /// <summary><c>http://127.0.0.1:port</c></summary>
    public string Origin => "http://" + _listener.LocalEndpoint;

    /// <param name="head">The status line and headers, each ending in CRLF; Content-Length is added.</param>
    /// <param name="body">The body.</param>
    public static RawHttpUpstream Start(string head, string body)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var response = Encoding.ASCII.GetBytes($"{head}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
        return new RawHttpUpstream(listener, response);
    }

    private async Task AcceptAsync(byte[] response)
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                await using var stream = client.GetStream();
                var seen = new List<byte>();
                var buffer = new byte[4096];
                while (!EndsWithBlankLine(seen))
                {
                    var read = await stream.ReadAsync(buffer);
                    if (read == 0)
                    {
                        break;
                    }

                    seen.AddRange(buffer.AsSpan(0, read));
                }

                await stream.WriteAsync(response);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // Stopped.
        }
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting.DefaultTimeout();
    }
}
