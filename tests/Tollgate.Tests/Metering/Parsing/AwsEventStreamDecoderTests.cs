using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using CsCheck;
using Tollgate.Fuzz.Targets;
using Tollgate.Metering.Parsing;

namespace Tollgate.Tests.Metering.Parsing;

public sealed class AwsEventStreamDecoderTests
{
    public static TheoryData<string> Modes() => new(Splits.Modes);

    [Theory]
    [MemberData(nameof(Modes))]
    public void Decodes_frames_whatever_the_reads(string mode)
    {
        var body = EventStreamFrames.Concat(
        [
            EventStreamFrames.Event("messageStart", """{"role":"assistant"}"""),
            EventStreamFrames.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Grüße"}}"""),
            EventStreamFrames.Exception("throttlingException", """{"message":"Too many requests"}"""),
            EventStreamFrames.Event("metadata", """{"usage":{"inputTokens":9,"outputTokens":2}}"""),
        ]);

        var (decoder, recorder) = Feed(body, mode);

        Assert.False(decoder.Failed);
        Assert.Equal(4, decoder.FrameCount);
        Assert.Equal(
            [
                ("messageStart", "event", """{"role":"assistant"}"""),
                ("contentBlockDelta", "event", """{"contentBlockIndex":0,"delta":{"text":"Grüße"}}"""),
                ("", "exception", """{"message":"Too many requests"}"""),
                ("metadata", "event", """{"usage":{"inputTokens":9,"outputTokens":2}}"""),
            ],
            recorder.Frames);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Skips_every_header_value_type_correctly(string mode)
    {
        var frame = EventStreamFrames.Frame(
            [
                EventStreamFrames.Header("flag-true", 0, []),
                EventStreamFrames.Header("flag-false", 1, []),
                EventStreamFrames.Header("a-byte", 2, [0x7F]),
                EventStreamFrames.Header("a-short", 3, [0x01, 0x02]),
                EventStreamFrames.Header("an-int", 4, [0, 0, 1, 0]),
                EventStreamFrames.Header("a-long", 5, [0, 0, 0, 0, 0, 0, 1, 0]),
                EventStreamFrames.Header("some-bytes", 6, EventStreamFrames.LengthPrefixed([1, 2, 3, 7, 7])),
                EventStreamFrames.StringHeader(":event-type", "metadata"),
                EventStreamFrames.Header(":date", 8, [0, 0, 1, 0x90, 0, 0, 0, 0]),
                EventStreamFrames.Header("an-id", 9, Enumerable.Range(0, 16).Select(i => (byte)i).ToArray()),
                EventStreamFrames.StringHeader(":message-type", "event"),
            ],
            Encoding.UTF8.GetBytes("{}"));

        var (decoder, recorder) = Feed(EventStreamFrames.Concat([frame, frame]), mode);

        Assert.False(decoder.Failed);
        Assert.Equal([("metadata", "event", "{}"), ("metadata", "event", "{}")], recorder.Frames);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_bad_message_crc_stops_decoding_for_the_rest_of_the_stream(string mode)
    {
        var corrupt = EventStreamFrames.Event("contentBlockDelta", """{"delta":{"text":"Hel"}}""");
        corrupt[^10] ^= 0x20; // a payload byte: the message CRC no longer matches
        var body = EventStreamFrames.Concat(
        [
            EventStreamFrames.Event("messageStart", """{"role":"assistant"}"""),
            corrupt,
            EventStreamFrames.Event("metadata", """{"usage":{"inputTokens":9,"outputTokens":2}}"""),
        ]);

        var (decoder, recorder) = Feed(body, mode);

        Assert.True(decoder.Failed);
        Assert.Equal([("messageStart", "event", """{"role":"assistant"}""")], recorder.Frames);
        Assert.Equal(0, decoder.BufferCapacity);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_bad_prelude_crc_stops_decoding(string mode)
    {
        var corrupt = EventStreamFrames.Event("metadata", "{}");
        corrupt[9] ^= 0x01;

        var (decoder, recorder) = Feed(EventStreamFrames.Concat([corrupt, EventStreamFrames.Event("metadata", "{}")]), mode);

        Assert.True(decoder.Failed);
        Assert.Empty(recorder.Frames);
    }

    [Theory]
    [InlineData(0xFFFF_FFF0u, 0u)] // absurd total length
    [InlineData(20u, 0u)] // plausible, but the zeros after it do not match its message CRC
    [InlineData(15u, 0u)] // shorter than a prelude and a CRC
    [InlineData(64u, 200_000u)] // headers longer than the frame and than AWS allows
    public void An_absurd_or_inconsistent_prelude_stops_decoding_without_throwing(uint total, uint headers)
    {
        var prelude = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(prelude, total);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(4), headers);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(8), Crc32.HashToUInt32(prelude.AsSpan(0, 8)));

        var body = prelude.Concat(new byte[100]).ToArray();
        var (decoder, recorder) = Feed(body, Splits.ByteByByte);

        Assert.True(decoder.Failed);
        Assert.Empty(recorder.Frames);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_frame_with_a_malformed_header_block_is_passed_over_whatever_the_reads(string mode)
    {
        // A string header whose declared length runs past the header block, in a frame over the hold limit: split,
        // its headers are never read. Its CRCs match, so the framing holds either way and the usage after it counts.
        var malformed = EventStreamFrames.Frame([EventStreamFrames.Header(":event-type", 7, [0x00, 0x40, (byte)'x'])], new byte[200]);
        var usage = """{"usage":{"inputTokens":9,"outputTokens":2}}""";

        var (decoder, recorder) = Feed(EventStreamFrames.Concat([malformed, EventStreamFrames.Event("metadata", usage)]), mode, maxBufferedFrameBytes: 160);

        Assert.False(decoder.Failed);
        Assert.Equal(1, decoder.SkippedFrameCount);
        Assert.Equal([("metadata", "event", usage)], recorder.Frames);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_split_frame_over_the_hold_limit_is_verified_but_not_handed_out(string mode)
    {
        var big = EventStreamFrames.Event("contentBlockDelta", "{\"delta\":{\"text\":\"" + new string('y', 300) + "\"}}");
        var body = EventStreamFrames.Concat([big, EventStreamFrames.Event("metadata", "{}")]);
        var decoder = new AwsEventStreamDecoder(maxBufferedFrameBytes: 128);
        var recorder = new Recorder();
        var most = 0;
        foreach (var piece in Splits.Of(body, mode))
        {
            decoder.Feed(piece.Span, recorder);
            most = Math.Max(most, decoder.BufferCapacity);
        }

        Assert.False(decoder.Failed);
        Assert.Equal("metadata", recorder.Frames[^1].EventType);
        if (mode != Splits.Whole)
        {
            Assert.Equal(1, decoder.SkippedFrameCount);
            Assert.True(most <= 256, $"held {most} bytes");
        }
    }

    [Fact]
    public void A_corrupt_frame_over_the_hold_limit_still_stops_decoding()
    {
        var big = EventStreamFrames.Event("contentBlockDelta", new string('z', 300));
        big[100] ^= 0x01;
        var body = EventStreamFrames.Concat([big, EventStreamFrames.Event("metadata", "{}")]);
        var decoder = new AwsEventStreamDecoder(maxBufferedFrameBytes: 128);
        var recorder = new Recorder();
        foreach (var piece in Splits.Of(body, "random-7"))
        {
            decoder.Feed(piece.Span, recorder);
        }

        Assert.True(decoder.Failed);
        Assert.Empty(recorder.Frames);
    }

    [Fact]
    public void A_long_stream_holds_no_more_than_one_frame()
    {
        var frames = EventStreamFrames.Concat(Enumerable.Range(0, 64).Select(i => EventStreamFrames.Event("contentBlockDelta", $$$"""{"contentBlockIndex":0,"delta":{"text":"token {{{i}}} "}}""")));
        var decoder = new AwsEventStreamDecoder();
        var recorder = new Recorder(keep: false);
        var most = 0;
        var chunk = new byte[997];
        var at = 0;
        for (var read = 0; read < 20_000; read++)
        {
            for (var i = 0; i < chunk.Length; i++)
            {
                chunk[i] = frames[at];
                at = (at + 1) % frames.Length;
            }

            decoder.Feed(chunk, recorder);
            most = Math.Max(most, decoder.BufferCapacity);
        }

        Assert.False(decoder.Failed);
        Assert.True(decoder.FrameCount > 100_000);
        Assert.True(most <= 1024, $"held {most} bytes");
    }

    [Fact]
    public void Well_formed_frames_are_decoded_whatever_the_reads() =>
        StreamGen.EventStream.SelectMany(stream => StreamGen.Cuts(stream.Body.Length).Select(cuts => (stream.Body, stream.Frames, Cuts: cuts)))
            .Sample(
                sample =>
                {
                    var (decoder, recorder) = Feed(Splits.At(sample.Body, sample.Cuts));

                    Assert.False(decoder.Failed);
                    Assert.Equal(sample.Frames, recorder.Frames);
                },
                iter: 500);

    [Fact]
    public void Damaged_frames_give_the_same_frames_verdict_and_usage_whatever_the_reads_and_hold_limit() =>
        Gen.Select(Gen.Byte, StreamGen.EventStream, Gen.Select(Gen.Int.Positive, Gen.Byte).Array[0, 4])
            .Sample(
                input =>
                {
                    var body = input.Item2.Body;
                    foreach (var (at, value) in input.Item3)
                    {
                        if (body.Length > 0)
                        {
                            body[at % body.Length] = value;
                        }
                    }

                    // An odd control byte makes the CRCs right again, so the damage reaches the lengths and the headers.
                    EventStreamTarget.Run([input.Item1, .. body]);
                },
                iter: 1000);

    private static (AwsEventStreamDecoder Decoder, Recorder Recorder) Feed(byte[] body, string mode, int maxBufferedFrameBytes = AwsEventStreamDecoder.DefaultMaxBufferedFrameBytes) =>
        Feed(Splits.Of(body, mode), maxBufferedFrameBytes);

    private static (AwsEventStreamDecoder Decoder, Recorder Recorder) Feed(IEnumerable<ReadOnlyMemory<byte>> reads, int maxBufferedFrameBytes = AwsEventStreamDecoder.DefaultMaxBufferedFrameBytes)
    {
        var decoder = new AwsEventStreamDecoder(maxBufferedFrameBytes);
        var recorder = new Recorder();
        foreach (var piece in reads)
        {
            decoder.Feed(piece.Span, recorder);
        }

        decoder.Complete();
        return (decoder, recorder);
    }

    private sealed class Recorder(bool keep = true) : IAwsEventStreamHandler
    {
        public List<(string EventType, string MessageType, string Payload)> Frames { get; } = [];

        public void OnFrame(AwsEventStreamFrame frame)
        {
            if (keep)
            {
                Frames.Add((Encoding.UTF8.GetString(frame.EventType), Encoding.UTF8.GetString(frame.MessageType), Encoding.UTF8.GetString(frame.Payload)));
            }
        }
    }
}
