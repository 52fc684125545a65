using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// Encodes and decodes the AWS event-stream binary framing (<c>application/vnd.amazon.eventstream</c>):
/// a 12-byte prelude (total length, headers length, both u32 big-endian, then the prelude's CRC32),
/// the headers, the payload and a CRC32 of everything before it. Fakes encode with it; tests decode
/// what the client received and compare frame by frame.
/// </summary>
public static class AwsEventStream
{
    private const int PreludeLength = 12;
    private const int MessageCrcLength = 4;
    private const byte StringHeaderType = 7;

    /// <summary>A Bedrock event frame: <c>:event-type</c>, <c>:content-type: application/json</c>, <c>:message-type: event</c>.</summary>
    public static byte[] EncodeEvent(string eventType, string jsonPayload) =>
        Encode(new AwsEventStreamMessage(
            [
                new(":event-type", eventType),
                new(":content-type", "application/json"),
                new(":message-type", "event"),
            ],
            Encoding.UTF8.GetBytes(jsonPayload)));

    /// <summary>One complete frame for <paramref name="message"/>.</summary>
    public static byte[] Encode(AwsEventStreamMessage message)
    {
        using var headers = new MemoryStream();
        Span<byte> length = stackalloc byte[2];
        foreach (var (name, value) in message.Headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            headers.WriteByte(checked((byte)nameBytes.Length));
            headers.Write(nameBytes);
            headers.WriteByte(StringHeaderType);
            BinaryPrimitives.WriteUInt16BigEndian(length, checked((ushort)valueBytes.Length));
            headers.Write(length);
            headers.Write(valueBytes);
        }

        var headersLength = (int)headers.Length;
        var total = PreludeLength + headersLength + message.Payload.Length + MessageCrcLength;
        var frame = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(0), (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)headersLength);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), Crc32.HashToUInt32(frame.AsSpan(0, 8)));
        headers.GetBuffer().AsSpan(0, headersLength).CopyTo(frame.AsSpan(PreludeLength));
        message.Payload.CopyTo(frame.AsSpan(PreludeLength + headersLength));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(total - MessageCrcLength), Crc32.HashToUInt32(frame.AsSpan(0, total - MessageCrcLength)));
        return frame;
    }

    /// <summary>
    /// Every frame in <paramref name="bytes"/>, which must hold whole frames only. Throws
    /// <see cref="InvalidDataException"/> on a bad CRC, a truncated frame or a non-string header.
    /// </summary>
    public static IReadOnlyList<AwsEventStreamMessage> DecodeAll(ReadOnlySpan<byte> bytes)
    {
        var messages = new List<AwsEventStreamMessage>();
        while (!bytes.IsEmpty)
        {
            messages.Add(Decode(bytes, out var consumed));
            bytes = bytes[consumed..];
        }

        return messages;
    }

    /// <summary>The first frame in <paramref name="bytes"/>; <paramref name="consumed"/> is its length.</summary>
    public static AwsEventStreamMessage Decode(ReadOnlySpan<byte> bytes, out int consumed)
    {
        if (bytes.Length < PreludeLength)
        {
            throw new InvalidDataException($"Truncated prelude: {bytes.Length} bytes.");
        }

        var total = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]);
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) != Crc32.HashToUInt32(bytes[..8]))
        {
            throw new InvalidDataException("Prelude CRC32 mismatch.");
        }

        if (total < PreludeLength + MessageCrcLength + headersLength || total > bytes.Length)
        {
            throw new InvalidDataException($"Frame of {total} bytes (headers {headersLength}) does not fit in the {bytes.Length} bytes left.");
        }

        var frame = bytes[..(int)total];
        var crcAt = frame.Length - MessageCrcLength;
        if (BinaryPrimitives.ReadUInt32BigEndian(frame[crcAt..]) != Crc32.HashToUInt32(frame[..crcAt]))
        {
            throw new InvalidDataException("Message CRC32 mismatch.");
        }

        var headers = ReadHeaders(frame.Slice(PreludeLength, (int)headersLength));
        consumed = frame.Length;
        return new AwsEventStreamMessage(headers, frame[(PreludeLength + (int)headersLength)..crcAt].ToArray());
    }

    private static List<KeyValuePair<string, string>> ReadHeaders(ReadOnlySpan<byte> span)
    {
        var headers = new List<KeyValuePair<string, string>>();
        while (!span.IsEmpty)
        {
            var nameLength = span[0];
            if (span.Length < 1 + nameLength + 3)
            {
                throw new InvalidDataException("Truncated header.");
            }

            var name = Encoding.UTF8.GetString(span.Slice(1, nameLength));
            span = span[(1 + nameLength)..];
            if (span[0] != StringHeaderType)
            {
                throw new InvalidDataException($"Header '{name}' has value type {span[0]}; only strings (7) are expected from Bedrock.");
            }

            var valueLength = BinaryPrimitives.ReadUInt16BigEndian(span[1..]);
            if (span.Length < 3 + valueLength)
            {
                throw new InvalidDataException($"Truncated value of header '{name}'.");
            }

            headers.Add(new(name, Encoding.UTF8.GetString(span.Slice(3, valueLength))));
            span = span[(3 + valueLength)..];
        }

        return headers;
    }
}
