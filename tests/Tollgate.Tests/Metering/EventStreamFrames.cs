using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Tollgate.Tests.Metering;

/// <summary>
/// Encodes AWS event-stream frames for the tests (written independently of the decoder under test):
/// prelude, headers of any value type, payload, CRC32s.
/// </summary>
public static class EventStreamFrames
{
    /// <summary>A Bedrock event: string headers <c>:event-type</c>, <c>:content-type</c>, <c>:message-type</c>.</summary>
    public static byte[] Event(string eventType, string json) =>
        Frame(
            [
                StringHeader(":event-type", eventType),
                StringHeader(":content-type", "application/json"),
                StringHeader(":message-type", "event"),
            ],
            Encoding.UTF8.GetBytes(json));

    /// <summary>An exception frame as Bedrock sends one mid-stream.</summary>
    public static byte[] Exception(string exceptionType, string json) =>
        Frame(
            [
                StringHeader(":exception-type", exceptionType),
                StringHeader(":content-type", "application/json"),
                StringHeader(":message-type", "exception"),
            ],
            Encoding.UTF8.GetBytes(json));

    /// <summary>InvokeModelWithResponseStream's <c>chunk</c> event wrapping the model's own chunk in base64.</summary>
    public static byte[] Chunk(string innerJson) =>
        Event("chunk", $$"""{"bytes":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes(innerJson))}}"}""");

    public static byte[] StringHeader(string name, string value) => Header(name, 7, LengthPrefixed(Encoding.UTF8.GetBytes(value)));

    /// <summary>A header with value type <paramref name="type"/> and the value's encoded bytes (with their length prefix for types 6 and 7).</summary>
    public static byte[] Header(string name, byte type, byte[] encodedValue)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        return [(byte)nameBytes.Length, .. nameBytes, type, .. encodedValue];
    }

    public static byte[] LengthPrefixed(byte[] value)
    {
        var bytes = new byte[2 + value.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value.Length);
        value.CopyTo(bytes, 2);
        return bytes;
    }

    public static byte[] Frame(IEnumerable<byte[]> headers, byte[] payload)
    {
        var headerBytes = headers.SelectMany(h => h).ToArray();
        var total = 12 + headerBytes.Length + payload.Length + 4;
        var frame = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), Crc32.HashToUInt32(frame.AsSpan(0, 8)));
        headerBytes.CopyTo(frame, 12);
        payload.CopyTo(frame, 12 + headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(total - 4), Crc32.HashToUInt32(frame.AsSpan(0, total - 4)));
        return frame;
    }

    public static byte[] Concat(IEnumerable<byte[]> frames) => frames.SelectMany(f => f).ToArray();
}
