using System.Text;
using CsCheck;
using Tollgate.Fuzz.Targets;
using Tollgate.Metering.Parsing;

namespace Tollgate.Tests.Metering.Parsing;

public sealed class JsonSequenceSplitterTests
{
    private static readonly string[] Items =
    [
        """{"candidates":[{"content":{"parts":[{"text":"braces { [ in \"strings\" ] } and a backslash \\"}]}}]}""",
        """{"text":"escaped quote at the end \"","n":[1,[2,{"deep":{}}]]}""",
        """{"unicode":"Grüße, 日本語 \u00e9","empty":{}}""",
    ];

    public static TheoryData<string> Modes() => new(Splits.Modes);

    [Theory]
    [MemberData(nameof(Modes))]
    public void Hands_out_the_items_of_a_streamed_array(string mode)
    {
        var body = "[" + string.Join(",\r\n", Items) + "]";
        Assert.Equal(Items, Feed(body, mode));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Hands_out_json_lines_and_a_single_body(string mode)
    {
        Assert.Equal(Items, Feed(string.Join("\n", Items) + "\n", mode));
        Assert.Equal([Items[0]], Feed("\uFEFF  " + Items[0], mode));
    }

    [Fact]
    public void Skips_values_that_are_not_objects_and_starts_over_after_an_array()
    {
        Assert.Equal(["""{"a":1}""", """{"b":2}"""], Feed("""[1,"x",{"a":1},null] {"b":2}""", Splits.ByteByByte));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void An_item_over_the_hold_limit_is_dropped_and_the_next_one_handed_out(string mode)
    {
        var big = "{\"text\":\"" + new string('x', 400) + "\"}";
        var body = "[" + big + "," + Items[1] + "]";

        var items = Feed(body, mode, maxElementBytes: 100);

        Assert.Equal(mode == Splits.Whole ? [big, Items[1]] : [Items[1]], items);
    }

    [Fact]
    public void Unbalanced_brackets_stop_the_splitter_without_throwing()
    {
        var splitter = new JsonSequenceSplitter();
        var recorder = new Recorder();
        splitter.Feed("{\"a\":1}}]{\"b\":2}"u8, recorder);

        Assert.True(splitter.Failed);
        Assert.Equal(["""{"a":1}"""], recorder.Items);
    }

    [Fact]
    public void Well_formed_sequences_give_their_objects_whatever_the_reads() =>
        StreamGen.JsonSequence.SelectMany(sequence => StreamGen.Cuts(sequence.Body.Length).Select(cuts => (sequence.Body, sequence.Objects, Cuts: cuts)))
            .Sample(sample => Assert.Equal(sample.Objects, Feed(Splits.At(sample.Body, sample.Cuts))), iter: 500);

    [Fact]
    public void Any_bytes_give_the_same_objects_and_usage_whatever_the_reads_and_hold_limit() =>
        Gen.Select(Gen.Byte, Gen.OneOf(StreamGen.JsonNoise, StreamGen.JsonSequence.Select(s => s.Body)))
            .Sample(input => JsonSequenceTarget.Run([input.Item1, .. input.Item2]), iter: 1000);

    private static List<string> Feed(string body, string mode, int maxElementBytes = JsonSequenceSplitter.DefaultMaxElementBytes) =>
        Feed(Splits.Of(Encoding.UTF8.GetBytes(body), mode), maxElementBytes);

    private static List<string> Feed(IEnumerable<ReadOnlyMemory<byte>> reads, int maxElementBytes = JsonSequenceSplitter.DefaultMaxElementBytes)
    {
        var splitter = new JsonSequenceSplitter(maxElementBytes);
        var recorder = new Recorder();
        foreach (var piece in reads)
        {
            splitter.Feed(piece.Span, recorder);
        }

        splitter.Complete();
        return recorder.Items;
    }

    private sealed class Recorder : IJsonElementHandler
    {
        public List<string> Items { get; } = [];

        public void OnElement(ReadOnlySpan<byte> json) => Items.Add(Encoding.UTF8.GetString(json));
    }
}
