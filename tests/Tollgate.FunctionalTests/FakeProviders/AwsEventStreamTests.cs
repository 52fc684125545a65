using System.Buffers.Binary;
using System.Text;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>The event-stream encoder the fakes use and the decoder the gateway tests use agree, and the decoder checks both CRCs.</summary>
public sealed class AwsEventStreamTests
{
    [Fact]
    public void EncodeThenDecode_RoundTripsEveryFrame()
    {
        var bytes = FakeBedrock.ConverseStreamEvents.SelectMany(e => AwsEventStream.EncodeEvent(e.EventType, e.Payload)).ToArray();

        var frames = AwsEventStream.DecodeAll(bytes);

        Assert.Equal(FakeBedrock.ConverseStreamEvents.Select(e => (e.EventType, e.Payload)), frames.Select(f => (f.EventType!, f.PayloadText)));
        Assert.All(frames, f => Assert.Equal("application/json", f.Header(":content-type")));
    }

    [Fact]
    public void Encode_LaysOutThePreludeAsSpecified()
    {
        var frame = AwsEventStream.Encode(new AwsEventStreamMessage([new(":event-type", "chunk")], Encoding.UTF8.GetBytes("{}")));

        // Header: 1 (name length) + 11 (":event-type") + 1 (type 7) + 2 (value length) + 5 ("chunk") = 20 bytes.
        Assert.Equal((uint)frame.Length, BinaryPrimitives.ReadUInt32BigEndian(frame));
        Assert.Equal(12u + 20 + 2 + 4, (uint)frame.Length);
        Assert.Equal(20u, BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4)));
        Assert.Equal(11, frame[12]);
        Assert.Equal(7, frame[12 + 1 + 11]);
        // The standard IEEE CRC32 (zlib's crc32) of the first 8 bytes.
        Assert.Equal(Crc32Reference(frame.AsSpan(0, 8)), BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(8)));
        Assert.Equal(Crc32Reference(frame.AsSpan(0, frame.Length - 4)), BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(frame.Length - 4)));
    }

    [Theory]
    [InlineData(9, "Prelude CRC32")]     // inside the prelude CRC
    [InlineData(2, "Prelude CRC32")]     // the total length the prelude CRC covers
    [InlineData(30, "Message CRC32")]    // a payload byte
    [InlineData(-1, "Message CRC32")]    // the message CRC itself
    public void Decode_RefusesACorruptedFrame(int index, string problem)
    {
        var frame = AwsEventStream.EncodeEvent("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hel"}}""");
        frame[index < 0 ? frame.Length + index : index] ^= 0x01;

        var error = Assert.Throws<InvalidDataException>(() => AwsEventStream.DecodeAll(frame));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RefusesATruncatedFrame()
    {
        var frame = AwsEventStream.EncodeEvent("messageStop", """{"stopReason":"end_turn"}""");

        Assert.Throws<InvalidDataException>(() => AwsEventStream.DecodeAll(frame.AsSpan(0, frame.Length - 1)));
        Assert.Throws<InvalidDataException>(() => AwsEventStream.DecodeAll(frame.AsSpan(0, 5)));
    }

    /// <summary>Bit-by-bit reflected CRC-32 (polynomial 0xEDB88320), independent of System.IO.Hashing.</summary>
    private static uint Crc32Reference(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
