using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tollgate.Bench.Load.Http;

/// <summary>
/// One keep-alive HTTP/1.1 connection over a bare socket: requests are pre-encoded bytes, responses are
/// parsed in place. No HttpClient, so the generator spends its share of the two cores on syscalls only.
/// </summary>
internal sealed class RawConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly ResponseParser _parser = new();
    private int _start;
    private int _end;

    private RawConnection(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>The last response asked for the connection to be closed (or ended by closing it).</summary>
    public bool MustReconnect => _parser.ConnectionClose;

    public static RawConnection Connect(IPEndPoint endPoint)
    {
        var socket = NewSocket(endPoint);
        try
        {
            socket.Connect(endPoint);
            return new RawConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task<RawConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = NewSocket(endPoint);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new RawConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Send(byte[] request)
    {
        var sent = 0;
        while (sent < request.Length)
        {
            sent += _socket.Send(request, sent, request.Length - sent, SocketFlags.None);
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        while (!request.IsEmpty)
        {
            var sent = await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
            request = request[sent..];
        }
    }

    /// <summary>Blocks until one whole response has been read.</summary>
    /// <returns>The status code, or -1 if the server closed the connection first.</returns>
    public int ReadResponse(IBodySink? sink = null)
    {
        _parser.Reset(sink);
        var arrivedAt = Stopwatch.GetTimestamp();
        while (true)
        {
            if (_start < _end)
            {
                _start += _parser.Feed(_buffer.AsSpan(_start, _end - _start), arrivedAt);
                if (_parser.IsDone)
                {
                    return _parser.StatusCode;
                }
            }

            var read = _socket.Receive(_buffer, SocketFlags.None);
            arrivedAt = Stopwatch.GetTimestamp();
            if (!Received(read))
            {
                return _parser.IsDone ? _parser.StatusCode : -1;
            }
        }
    }

    /// <inheritdoc cref="ReadResponse"/>
    public async ValueTask<int> ReadResponseAsync(IBodySink? sink, CancellationToken cancellationToken)
    {
        _parser.Reset(sink);
        var arrivedAt = Stopwatch.GetTimestamp();
        while (true)
        {
            if (_start < _end)
            {
                _start += _parser.Feed(_buffer.AsSpan(_start, _end - _start), arrivedAt);
                if (_parser.IsDone)
                {
                    return _parser.StatusCode;
                }
            }

            var read = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken);
            arrivedAt = Stopwatch.GetTimestamp();
            if (!Received(read))
            {
                return _parser.IsDone ? _parser.StatusCode : -1;
            }
        }
    }

    /// <summary>Closes the socket; a blocked <see cref="ReadResponse"/> then throws.</summary>
    public void Dispose() => _socket.Dispose();

    private bool Received(int read)
    {
        _start = 0;
        _end = read;
        if (read > 0)
        {
            return true;
        }

        _parser.EndOfStream();
        return false;
    }

    private static Socket NewSocket(IPEndPoint endPoint) => new(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
    {
        NoDelay = true,
    };
}
