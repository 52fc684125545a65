using System.Buffers.Binary;
using System.IO.Hashing;

namespace Tollgate.Metering.Parsing;

/// <summary>
/// Decodes the AWS event-stream binary framing (<c>application/vnd.amazon.eventstream</c>) as the
/// bytes arrive, split anywhere: a 12-byte prelude (total length and headers length, u32 big-endian,
/// then the prelude's CRC32), the headers, the payload, and a CRC32 of everything before it.
/// </summary>
/// <remarks>
/// A bad CRC or an absurd length means the framing is lost: the decoder stops for the rest of the
/// stream (<see cref="Failed"/>) and never throws. A frame whole in one read is decoded in place; a
/// split one is gathered in a pooled buffer, unless it is larger than the hold limit, in which case
/// its CRC is still checked as it passes but it is not handed out (no Bedrock event that carries
/// usage comes near that size). A frame whose CRCs match but whose header block is malformed is
/// passed over too: the headers of a frame too large to hold are never read, so failing on them
/// would make the outcome depend on where the reads split the stream.
/// </remarks>
internal sealed class AwsEventStreamDecoder
{
    public const int PreludeLength = 12;

    /// <summary>The largest message AWS's event-stream libraries accept (16 MiB); longer means corrupt.</summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    /// <summary>The largest header block AWS's event-stream libraries accept (128 KiB).</summary>
    public const int MaxHeadersBytes = 128 * 1024;

    /// <summary>The default hold limit for a split frame: 1 MiB.</summary>
    public const int DefaultMaxBufferedFrameBytes = 1024 * 1024;

    private const int MessageCrcLength = 4;

    private readonly int _maxBufferedFrameBytes;
    private PooledBuffer _frame;
    private Crc32? _crc;
    private State _state;
    private int _frameLength;
    private int _skipRemaining;

    /// <param name="maxBufferedFrameBytes">The largest split frame to gather and hand out (default <see cref="DefaultMaxBufferedFrameBytes"/>).</param>
    public AwsEventStreamDecoder(int maxBufferedFrameBytes = DefaultMaxBufferedFrameBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBufferedFrameBytes, PreludeLength + MessageCrcLength);
        _maxBufferedFrameBytes = maxBufferedFrameBytes;
    }

    private enum State
    {
        Prelude,
        Gathering,
        Skipping,
        Failed,
    }

    /// <summary>The framing was found corrupt; everything after it is ignored.</summary>
    public bool Failed => _state == State.Failed;

    /// <summary>Frames verified and handed out so far.</summary>
    public long FrameCount { get; private set; }

    /// <summary>Frames verified but not handed out: too large to hold, or with a malformed header block.</summary>
    public long SkippedFrameCount { get; private set; }

    /// <summary>Bytes of pooled memory held right now.</summary>
    public int BufferCapacity => _frame.Capacity;

    /// <summary>Feeds the next bytes; <paramref name="handler"/> gets every frame they complete.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, IAwsEventStreamHandler handler)
    {
        while (!bytes.IsEmpty)
        {
            switch (_state)
            {
                case State.Failed:
                    return;

                case State.Prelude:
                    if (_frame.Count == 0 && bytes.Length >= PreludeLength)
                    {
                        if (!TryReadPrelude(bytes, out var length))
                        {
                            Fail();
                            return;
                        }

                        if (bytes.Length >= length)
                        {
                            // The common case: the whole frame is in this read; decode it in place.
                            if (!TryHandOut(bytes[..length], handler))
                            {
                                Fail();
                                return;
                            }

                            bytes = bytes[length..];
                            continue;
                        }
                    }

                    bytes = Gather(bytes, PreludeLength);
                    if (_frame.Count < PreludeLength)
                    {
                        return;
                    }

                    if (!TryReadPrelude(_frame.Written, out _frameLength))
                    {
                        Fail();
                        return;
                    }

                    if (_frameLength <= _maxBufferedFrameBytes)
                    {
                        _state = State.Gathering;
                    }
                    else
                    {
                        _crc ??= new Crc32();
                        _crc.Reset();
                        _crc.Append(_frame.Written);
                        _frame.Clear();
                        _skipRemaining = _frameLength - PreludeLength - MessageCrcLength;
                        _state = State.Skipping;
                    }

                    break;

                case State.Gathering:
                    bytes = Gather(bytes, _frameLength);
                    if (_frame.Count < _frameLength)
                    {
                        return;
                    }

                    var handedOut = TryHandOut(_frame.Written, handler);
                    _frame.Clear();
                    _state = State.Prelude;
                    if (!handedOut)
                    {
                        Fail();
                        return;
                    }

                    break;

                case State.Skipping:
                    if (_skipRemaining > 0)
                    {
                        var take = Math.Min(_skipRemaining, bytes.Length);
                        _crc!.Append(bytes[..take]);
                        _skipRemaining -= take;
                        bytes = bytes[take..];
                        break;
                    }

                    bytes = Gather(bytes, MessageCrcLength);
                    if (_frame.Count < MessageCrcLength)
                    {
                        return;
                    }

                    var matches = BinaryPrimitives.ReadUInt32BigEndian(_frame.Written) == _crc!.GetCurrentHashAsUInt32();
                    _frame.Clear();
                    if (!matches)
                    {
                        Fail();
                        return;
                    }

                    SkippedFrameCount++;
                    _state = State.Prelude;
                    break;
            }
        }
    }

    /// <summary>The stream ended: an unfinished frame is dropped and pooled memory goes back to the pool.</summary>
    public void Complete()
    {
        _frame.Release();
        if (_state != State.Failed)
        {
            _state = State.Prelude;
        }
    }

    /// <summary>Checks the prelude's CRC and lengths; <paramref name="frameLength"/> is the whole frame's.</summary>
    private static bool TryReadPrelude(ReadOnlySpan<byte> prelude, out int frameLength)
    {
        frameLength = 0;
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headers = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        if (BinaryPrimitives.ReadUInt32BigEndian(prelude[8..]) != Crc32.HashToUInt32(prelude[..8]))
        {
            return false;
        }

        if (total > MaxMessageBytes || total < PreludeLength + MessageCrcLength || headers > MaxHeadersBytes || headers > total - PreludeLength - MessageCrcLength)
        {
            return false;
        }

        frameLength = (int)total;
        return true;
    }

    private bool TryHandOut(ReadOnlySpan<byte> frame, IAwsEventStreamHandler handler)
    {
        var crcAt = frame.Length - MessageCrcLength;
        if (BinaryPrimitives.ReadUInt32BigEndian(frame[crcAt..]) != Crc32.HashToUInt32(frame[..crcAt]))
        {
            return false;
        }

        var headersLength = (int)BinaryPrimitives.ReadUInt32BigEndian(frame[4..]);
        var headers = frame.Slice(PreludeLength, headersLength);
        if (!TryReadHeaders(headers, out var eventType, out var messageType))
        {
            // The CRCs hold, so the framing does: the frame is passed over like one too large to hold.
            SkippedFrameCount++;
            return true;
        }

        FrameCount++;
        handler.OnFrame(new AwsEventStreamFrame(eventType, messageType, headers, frame[(PreludeLength + headersLength)..crcAt]));
        return true;
    }

    /// <summary>Walks the header block, skipping every value type correctly; false when it is malformed.</summary>
    private static bool TryReadHeaders(ReadOnlySpan<byte> headers, out ReadOnlySpan<byte> eventType, out ReadOnlySpan<byte> messageType)
    {
        eventType = default;
        messageType = default;
        while (!headers.IsEmpty)
        {
            var nameLength = headers[0];
            if (nameLength == 0 || headers.Length < 2 + nameLength)
            {
                return false;
            }

            var name = headers.Slice(1, nameLength);
            var type = headers[1 + nameLength];
            var rest = headers[(2 + nameLength)..];
            int lengthPrefix = 0, valueLength;
            switch (type)
            {
                case 0 or 1: // bool true / false: no value bytes
                    valueLength = 0;
                    break;
                case 2: // byte
                    valueLength = 1;
                    break;
                case 3: // short
                    valueLength = 2;
                    break;
                case 4: // int
                    valueLength = 4;
                    break;
                case 5 or 8: // long, timestamp (ms)
                    valueLength = 8;
                    break;
                case 6 or 7: // byte array, string: u16 length, then the bytes
                    if (rest.Length < 2)
                    {
                        return false;
                    }

                    lengthPrefix = 2;
                    valueLength = BinaryPrimitives.ReadUInt16BigEndian(rest);
                    break;
                case 9: // uuid
                    valueLength = 16;
                    break;
                default:
                    return false;
            }

            if (rest.Length < lengthPrefix + valueLength)
            {
                return false;
            }

            if (type == 7)
            {
                var value = rest.Slice(lengthPrefix, valueLength);
                if (name.SequenceEqual(":event-type"u8))
                {
                    eventType = value;
                }
                else if (name.SequenceEqual(":message-type"u8))
                {
                    messageType = value;
                }
            }

            headers = rest[(lengthPrefix + valueLength)..];
        }

        return true;
    }

    /// <summary>Appends to the frame buffer up to <paramref name="target"/> bytes; returns what is left of <paramref name="bytes"/>.</summary>
    private ReadOnlySpan<byte> Gather(ReadOnlySpan<byte> bytes, int target)
    {
        var take = Math.Min(target - _frame.Count, bytes.Length);
        _frame.Append(bytes[..take]);
        return bytes[take..];
    }

    private void Fail()
    {
        _state = State.Failed;
        _frame.Release();
    }
}
