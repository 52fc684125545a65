using System.Buffers.Text;
using System.Text;

namespace Tollgate.Bench.Load.Http;

/// <summary>Receives the body bytes of a response as they are parsed.</summary>
internal interface IBodySink
{
    /// <param name="data">Decoded body bytes (chunk framing removed).</param>
    /// <param name="arrivedAt"><see cref="System.Diagnostics.Stopwatch"/> timestamp of the read that brought them.</param>
    void OnBody(ReadOnlySpan<byte> data, long arrivedAt);
}

/// <summary>
/// An HTTP/1.1 response parser fed with whatever the socket returned: status line and headers, then a
/// body framed by Content-Length, chunked encoding, or the end of the connection.
/// </summary>
internal sealed class ResponseParser
{
    private const int MaxHeadBytes = 32 * 1024;

    private readonly byte[] _head = new byte[MaxHeadBytes];
    private int _headLength;
    private State _state;
    private long _remaining;
    private long _chunkSize;
    private bool _inChunkExtension;
    private int _trailerLineLength;
    private IBodySink? _sink;

    private enum State
    {
        Head,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
        Done,
    }

    public int StatusCode { get; private set; }

    /// <summary>The server said <c>Connection: close</c> or framed the body by closing.</summary>
    public bool ConnectionClose { get; private set; }

    public bool IsDone => _state == State.Done;

    public bool ReadsUntilClose => _state == State.UntilClose;

    public void Reset(IBodySink? sink)
    {
        _state = State.Head;
        _headLength = 0;
        _sink = sink;
        StatusCode = 0;
        ConnectionClose = false;
    }

    /// <summary>Marks the end of a body framed by the connection closing.</summary>
    public void EndOfStream()
    {
        if (_state == State.UntilClose)
        {
            _state = State.Done;
        }
    }

    /// <summary>Consumes bytes of the current response; stops at its end.</summary>
    /// <returns>How many bytes of <paramref name="data"/> belonged to it.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an HTTP/1.1 response.</exception>
    public int Feed(ReadOnlySpan<byte> data, long arrivedAt)
    {
        var i = 0;
        while (i < data.Length && _state != State.Done)
        {
            switch (_state)
            {
                case State.Head:
                    i += FeedHead(data[i..]);
                    break;

                case State.FixedBody:
                case State.ChunkData:
                {
                    var take = (int)Math.Min(_remaining, data.Length - i);
                    _sink?.OnBody(data.Slice(i, take), arrivedAt);
                    i += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = _state == State.FixedBody ? State.Done : State.ChunkDataEnd;
                    }

                    break;
                }

                case State.ChunkSize:
                {
                    var b = data[i++];
                    if (b == '\n')
                    {
                        _remaining = _chunkSize;
                        _state = _chunkSize == 0 ? State.Trailers : State.ChunkData;
                        _trailerLineLength = 0;
                    }
                    else if (b == ';')
                    {
                        _inChunkExtension = true;
                    }
                    else if (b != '\r' && !_inChunkExtension)
                    {
                        _chunkSize = (_chunkSize * 16) + HexValue(b);
                    }

                    break;
                }

                case State.ChunkDataEnd:
                    if (data[i++] == '\n')
                    {
                        StartChunk();
                    }

                    break;

                case State.Trailers:
                {
                    var b = data[i++];
                    if (b == '\n')
                    {
                        if (_trailerLineLength == 0)
                        {
                            _state = State.Done;
                        }

                        _trailerLineLength = 0;
                    }
                    else if (b != '\r')
                    {
                        _trailerLineLength++;
                    }

                    break;
                }

                case State.UntilClose:
                    _sink?.OnBody(data[i..], arrivedAt);
                    i = data.Length;
                    break;

                default:
                    throw new InvalidOperationException($"Unexpected parser state {_state}.");
            }
        }

        return i;
    }

    private int FeedHead(ReadOnlySpan<byte> data)
    {
        var take = Math.Min(data.Length, MaxHeadBytes - _headLength);
        data[..take].CopyTo(_head.AsSpan(_headLength));
        var searchFrom = Math.Max(0, _headLength - 3);
        var previous = _headLength;
        _headLength += take;
        var end = _head.AsSpan(searchFrom, _headLength - searchFrom).IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (_headLength == MaxHeadBytes)
            {
                throw new InvalidDataException("Response headers larger than 32 KB.");
            }

            return take;
        }

        var headEnd = searchFrom + end + 4;
        ParseHead(_head.AsSpan(0, headEnd));
        return headEnd - previous;
    }

    private void ParseHead(ReadOnlySpan<byte> head)
    {
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("Not an HTTP/1.x response: " + Encoding.ASCII.GetString(head[..Math.Min(head.Length, 40)]));
        }

        StatusCode = status;
        long? contentLength = null;
        var chunked = false;
        var lines = head[(head.IndexOf("\r\n"u8) + 2)..];
        while (lines.Length > 2)
        {
            var lineEnd = lines.IndexOf("\r\n"u8);
            var line = lines[..lineEnd];
            lines = lines[(lineEnd + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8) && Utf8Parser.TryParse(value, out long length, out _))
            {
                contentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                chunked = value.IndexOf("chunked"u8) >= 0;
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                ConnectionClose = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
        }

        if (chunked)
        {
            StartChunk();
        }
        else if (contentLength is { } fixedLength)
        {
            _remaining = fixedLength;
            _state = fixedLength == 0 ? State.Done : State.FixedBody;
        }
        else if (status is 204 or 304 || status < 200)
        {
            _state = State.Done;
        }
        else
        {
            ConnectionClose = true;
            _state = State.UntilClose;
        }
    }

    private void StartChunk()
    {
        _chunkSize = 0;
        _inChunkExtension = false;
        _state = State.ChunkSize;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => throw new InvalidDataException($"Bad chunk size byte 0x{b:x2}."),
    };
}
