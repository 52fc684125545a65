using System.Text;
using CsCheck;
using Tollgate.Fuzz.Targets;
using Tollgate.Metering.Parsing;

namespace Tollgate.Tests.Metering.Parsing;

public sealed class SseEventSplitterTests
{
    // LF, CRLF and CR endings, multi-line data, a comment-only block, id and retry fields, a field
    // without a colon, a value without the optional space, and two spaces (only one is stripped).
    private const string Mixed =
        "event: first\r\ndata: line one\r\ndata: line two\r\n\r\n" +
        "data: {\"x\":1}\n\n" +
        "data:cr only\r\r" +
        ": keep-alive comment\n\n" +
        "id: 7\nretry: 100\nevent: named\ndata:  two spaces\n\n" +
        "data\n\n" +
        "event: é-ünïcode\ndata: «ça va»\n\n" +
        "data: [DONE]\n\n";

    private static readonly (string? Name, string? Data)[] MixedExpected =
    [
        ("first", "line one\nline two"),
        ("", "{\"x\":1}"),
        ("", "cr only"),
        (null, null), // the comment-only block: handed out, but not an event
        ("named", " two spaces"),
        ("", ""),
        ("é-ünïcode", "«ça va»"),
        ("", "[DONE]"),
    ];

    public static TheoryData<string> Modes() => new(Splits.Modes);

    [Theory]
    [MemberData(nameof(Modes))]
    public void Splits_events_whatever_the_reads(string mode)
    {
        var body = Encoding.UTF8.GetBytes(Mixed);
        var recorder = Feed(new SseEventSplitter(), body, mode);

        Assert.Equal(MixedExpected, recorder.Events);
        Assert.True(recorder.SawDone);
    }

    [Fact]
    public void Splits_events_at_every_two_piece_split()
    {
        var body = Encoding.UTF8.GetBytes(Mixed);
        for (var cut = 0; cut <= body.Length; cut++)
        {
            var splitter = new SseEventSplitter();
            var recorder = new Recorder();
            splitter.Feed(body.AsSpan(0, cut), recorder);
            splitter.Feed(body.AsSpan(cut), recorder);
            splitter.Complete(recorder);
            Assert.Equal(MixedExpected, recorder.Events);
            Assert.Equal(body, recorder.Raw.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Raw_extents_tile_the_stream_exactly(string mode)
    {
        var body = Encoding.UTF8.GetBytes(Mixed + "data: unfinished");
        var recorder = Feed(new SseEventSplitter(), body, mode);

        Assert.Equal(body, recorder.Raw.ToArray());
        var expectedStart = 0L;
        foreach (var (start, length) in recorder.Extents)
        {
            Assert.Equal(expectedStart, start);
            expectedStart += length;
        }

        Assert.Equal(body.Length, expectedStart);
    }

    [Fact]
    public void A_blank_line_crlf_split_across_reads_stays_with_its_block()
    {
        var splitter = new SseEventSplitter();
        var recorder = new Recorder();
        splitter.Feed("data: a\r\n\r"u8, recorder);
        Assert.Empty(recorder.Events);
        Assert.Equal(10, splitter.PendingLength);

        splitter.Feed("\ndata: b\r\n\r"u8, recorder);
        Assert.Equal([("", "a")], recorder.Events);
        Assert.Equal([(0L, 11)], recorder.Extents);

        splitter.Feed("\r\ndata: c\r\r"u8, recorder);
        splitter.Complete(recorder);

        // After b's lone CR, the next CR is a blank line of its own (an empty block); c ends at the end of the stream.
        Assert.Equal([("", "a"), ("", "b"), ("", "c")], recorder.Events);
        Assert.Equal([(0L, 11), (11L, 10), (21L, 2), (23L, 9)], recorder.Extents);
        Assert.Equal("data: a\r\n\r\ndata: b\r\n\r\r\ndata: c\r\r", Encoding.UTF8.GetString(recorder.Raw.ToArray()));
    }

    [Fact]
    public void A_leading_byte_order_mark_is_ignored()
    {
        var recorder = Feed(new SseEventSplitter(), [0xEF, 0xBB, 0xBF, .. "data: x\n\n"u8], Splits.ByteByByte);
        Assert.Equal([("", "x")], recorder.Events);
    }

    [Fact]
    public void At_the_end_a_complete_last_line_without_blank_line_still_counts_and_a_cut_line_does_not()
    {
        var lenient = Feed(new SseEventSplitter(), "data: a\n\ndata: {\"usage\":1}\n"u8.ToArray(), Splits.Whole);
        Assert.Equal([("", "a"), ("", "{\"usage\":1}")], lenient.Events);

        var cut = Feed(new SseEventSplitter(), "data: a\n\ndata: {\"usa"u8.ToArray(), Splits.Whole);
        Assert.Equal([("", "a")], cut.Events);
        Assert.Equal(1, cut.Fragments);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_block_over_the_hold_limit_is_handed_out_as_fragments_and_the_next_one_parses(string mode)
    {
        var big = "data: " + new string('x', 500) + "\n\n";
        var body = Encoding.UTF8.GetBytes("data: before\n\n" + big + "event: after\ndata: ok\n\n");
        var splitter = new SseEventSplitter(maxBlockBytes: 64);
        var recorder = new Recorder();
        var most = 0;
        foreach (var piece in Splits.Of(body, mode))
        {
            splitter.Feed(piece.Span, recorder);
            most = Math.Max(most, splitter.PendingLength);
        }

        splitter.Complete(recorder);

        // Whole, the big block lies in one read and is parsed in place; split, it cannot be held.
        var expected = mode == Splits.Whole
            ? new (string?, string?)[] { ("", "before"), ("", new string('x', 500)), ("after", "ok") }
            : [("", "before"), ("after", "ok")];
        Assert.Equal(expected, recorder.Events);
        Assert.True(most <= 64, $"held {most} bytes");
        Assert.Equal(body, recorder.Raw.ToArray());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_tee_can_rewrite_one_event_and_keep_every_other_byte(string mode)
    {
        // The cost-injection use: change the usage event, pass everything else through unchanged.
        const string Usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9}}\r\n\r\n";
        const string Rewritten = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"cost\":0.5}}\r\n\r\n";
        var before = "data: {\"choices\":[{\"delta\":{\"content\":\"Hé\"}}]}\r\n\r\n: ping\r\n\r\n";
        const string After = "data: [DONE]\r\n\r\n";
        var body = Encoding.UTF8.GetBytes(before + Usage + After);

        var splitter = new SseEventSplitter();
        var rewriter = new UsageRewriter();
        foreach (var piece in Splits.Of(body, mode))
        {
            splitter.Feed(piece.Span, rewriter);
        }

        splitter.Complete(rewriter);

        Assert.Equal(before + Rewritten + After, Encoding.UTF8.GetString(rewriter.ToClient.ToArray()));
    }

    [Fact]
    public void Well_formed_streams_give_their_events_whatever_the_reads() =>
        StreamGen.Sse.SelectMany(sse => StreamGen.Cuts(sse.Body.Length).Select(cuts => (sse.Body, sse.Events, Cuts: cuts)))
            .Sample(
                sample =>
                {
                    var recorder = Feed(new SseEventSplitter(), Splits.At(sample.Body, sample.Cuts));

                    Assert.Equal(sample.Events, recorder.Events);
                    Assert.Equal(sample.Body, recorder.Raw.ToArray());
                },
                iter: 500);

    [Fact]
    public void Any_bytes_give_the_same_blocks_and_client_copy_whatever_the_reads_and_hold_limit() =>
        Gen.Select(Gen.Byte, StreamGen.SseNoise).Sample(input => SseTarget.Run([input.Item1, .. input.Item2]), iter: 1000);

    [Fact]
    public void A_fifty_megabyte_stream_of_small_events_holds_little_memory()
    {
        var events = new StringBuilder();
        for (var i = 0; i < 64; i++)
        {
            events.Append("data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token ").Append(i).Append("\"}}]}\n\n");
        }

        var segment = Encoding.UTF8.GetBytes(events.ToString());
        var splitter = new SseEventSplitter();
        var counter = new Counter();
        const long Total = 50L * 1024 * 1024;
        const int Read = 7919; // a prime, so reads cut events at ever-changing points
        var chunk = new byte[Read];
        var most = 0;
        long fed = 0;
        var at = 0;
        while (fed < Total)
        {
            for (var i = 0; i < Read; i++)
            {
                chunk[i] = segment[at];
                at = (at + 1) % segment.Length;
            }

            splitter.Feed(chunk, counter);
            fed += Read;
            most = Math.Max(most, splitter.BufferCapacity);
        }

        Assert.True(counter.Events > 500_000, $"{counter.Events} events");
        Assert.True(most <= 1024, $"buffer grew to {most} bytes");
    }

    private static Recorder Feed(SseEventSplitter splitter, byte[] body, string mode) => Feed(splitter, Splits.Of(body, mode));

    private static Recorder Feed(SseEventSplitter splitter, IEnumerable<ReadOnlyMemory<byte>> reads)
    {
        var recorder = new Recorder();
        foreach (var piece in reads)
        {
            splitter.Feed(piece.Span, recorder);
        }

        splitter.Complete(recorder);
        return recorder;
    }

    private sealed class Recorder : ISseEventHandler
    {
        public List<(string? Name, string? Data)> Events { get; } = [];

        public List<(long Start, int Length)> Extents { get; } = [];

        public MemoryStream Raw { get; } = new();

        public int Fragments { get; private set; }

        public bool SawDone { get; private set; }

        public void OnEvent(SseEvent sseEvent)
        {
            Raw.Write(sseEvent.Raw);
            Extents.Add((sseEvent.Start, sseEvent.Raw.Length));
            Assert.Equal(sseEvent.Start + sseEvent.Raw.Length, sseEvent.End);
            if (sseEvent.IsFragment)
            {
                Fragments++;
                return;
            }

            SawDone |= sseEvent.IsDone;
            Events.Add(sseEvent.HasData
                ? (Encoding.UTF8.GetString(sseEvent.Name), Encoding.UTF8.GetString(sseEvent.Data))
                : (null, null));
            if (!sseEvent.HasData)
            {
                // Blank lines alone (a split CRLF's LF) are blocks too; keep only the comment block in the expectations.
                if (!Encoding.UTF8.GetString(sseEvent.Raw).Contains(':', StringComparison.Ordinal))
                {
                    Events.RemoveAt(Events.Count - 1);
                }
            }
        }
    }

    private sealed class Counter : ISseEventHandler
    {
        public long Events { get; private set; }

        public void OnEvent(SseEvent sseEvent)
        {
            if (sseEvent.HasData)
            {
                Events++;
            }
        }
    }

    private sealed class UsageRewriter : ISseEventHandler
    {
        public MemoryStream ToClient { get; } = new();

        public void OnEvent(SseEvent sseEvent)
        {
            if (!sseEvent.IsFragment && sseEvent.HasData && sseEvent.Data.IndexOf("\"usage\""u8) >= 0)
            {
                var data = Encoding.UTF8.GetString(sseEvent.Data);
                var rewritten = data[..^2] + ",\"cost\":0.5}}";
                ToClient.Write(Encoding.UTF8.GetBytes("data: " + rewritten + "\r\n\r\n"));
                return;
            }

            ToClient.Write(sseEvent.Raw);
        }
    }
}
