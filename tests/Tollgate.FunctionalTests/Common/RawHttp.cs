using System.Net.Sockets;
using System.Text;

namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// Sends a request line exactly as written. HttpClient normalises URLs (dot segments, escapes), so
/// path-trick tests need a socket.
/// </summary>
public static class RawHttp
{
    /// <param name="json">A JSON body to send with POST; GET without one.</param>
    public static async Task<(int Status, string Response)> SendAsync(Uri server, string requestTarget, string extraHeaders = "", string? json = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port).DefaultTimeout();
        await using var stream = client.GetStream();
        var request = json is null
            ? $"GET {requestTarget} HTTP/1.1\r\nHost: {server.Authority}\r\n{extraHeaders}Connection: close\r\n\r\n"
            : $"POST {requestTarget} HTTP/1.1\r\nHost: {server.Authority}\r\n{extraHeaders}Content-Type: application/json\r\n"
                + $"Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\nConnection: close\r\n\r\n{json}";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request)).AsTask().DefaultTimeout();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().DefaultTimeout();
        var status = int.Parse(response.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        return (status, response);
    }
}
