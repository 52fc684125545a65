using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Tollgate.Metering;
using Tollgate.Metering.Parsing;

namespace Tollgate.Fuzz.Targets;

/// <summary>
/// The AWS event-stream decoder on the same bytes read whole and cut into reads: the same frames
/// (a frame over the hold limit may be verified and passed over instead, never anything else), the
/// same count, the same verdict on the framing, and the same Bedrock usage. Inputs with an odd
/// control byte get their CRCs made right first, so the mutations reach the lengths and headers.
/// </summary>
internal static class EventStreamTarget
{
    public static void Run(byte[] data)
    {
        var input = new FuzzInput(data);
        var body = (input.Control & 1) == 1 ? WithValidCrcs(input.Body) : input.Body.ToArray();
        var limit = input.HoldLimit;
        var whole = Decode(body, [(0, body.Length)], limit);
        var reads = Decode(body, input.Reads(), limit);

        FuzzFinding.Unless(whole.Failed == reads.Failed, $"the framing failed {(whole.Failed ? "whole" : "in reads")} only");
        FuzzFinding.Unless(whole.Seen == reads.Seen, $"{whole.Seen} frames whole, {reads.Seen} in reads");
        foreach (var (index, frame) in reads.Frames)
        {
            FuzzFinding.Unless(whole.Frames.TryGetValue(index, out var same) && same == frame, $"frame {index} differs in reads");
        }

        foreach (var (index, frame) in whole.Frames)
        {
            FuzzFinding.Unless(reads.Frames.ContainsKey(index) || frame.Length > limit, $"frame {index} within the hold limit was not handed out in reads");
        }

        var wholeUsage = MeterRuns.Meter(UsageDialect.Bedrock, "/model/m/converse-stream", "application/vnd.amazon.eventstream", body, [(0, body.Length)]);
        var readsUsage = MeterRuns.Meter(UsageDialect.Bedrock, "/model/m/converse-stream", "application/vnd.amazon.eventstream", body, input.Reads());
        FuzzFinding.Unless(wholeUsage == readsUsage, $"usage {wholeUsage} whole, {readsUsage} in reads");
    }

    private readonly record struct Frame(int Length, string EventType, string MessageType, string Headers, string Payload);

    private sealed record Decoded(bool Failed, long Seen, Dictionary<long, Frame> Frames);

    private static Decoded Decode(ReadOnlySpan<byte> body, List<(int Start, int Length)> reads, int limit)
    {
        var decoder = new AwsEventStreamDecoder(limit);
        var recorder = new Recorder(decoder);
        foreach (var (start, length) in reads)
        {
            decoder.Feed(body.Slice(start, length), recorder);
        }

        decoder.Complete();
        FuzzFinding.Unless(decoder.BufferCapacity == 0, "the decoder kept pooled memory after the stream ended");
        return new Decoded(decoder.Failed, decoder.FrameCount + decoder.SkippedFrameCount, recorder.Frames);
    }

    /// <summary>Walks the frames the lengths describe and writes both CRCs of each.</summary>
    private static byte[] WithValidCrcs(ReadOnlySpan<byte> body)
    {
        var bytes = body.ToArray();
        var at = 0;
        while (bytes.Length - at >= 16)
        {
            var total = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
            if (total < 16 || total > bytes.Length - at)
            {
                break;
            }

            var frame = bytes.AsSpan(at, (int)total);
            BinaryPrimitives.WriteUInt32BigEndian(frame[8..], Crc32.HashToUInt32(frame[..8]));
            BinaryPrimitives.WriteUInt32BigEndian(frame[^4..], Crc32.HashToUInt32(frame[..^4]));
            at += (int)total;
        }

        return bytes;
    }

    private sealed class Recorder(AwsEventStreamDecoder decoder) : IAwsEventStreamHandler
    {
        public Dictionary<long, Frame> Frames { get; } = [];

        public void OnFrame(AwsEventStreamFrame frame)
        {
            // The frame's place in the stream, counting the ones passed over.
            var index = decoder.FrameCount + decoder.SkippedFrameCount - 1;
            Frames.Add(index, new Frame(
                AwsEventStreamDecoder.PreludeLength + frame.Headers.Length + frame.Payload.Length + 4,
                Encoding.Latin1.GetString(frame.EventType),
                Encoding.Latin1.GetString(frame.MessageType),
                Encoding.Latin1.GetString(frame.Headers),
                Encoding.Latin1.GetString(frame.Payload)));
        }
    }
}
