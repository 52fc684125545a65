using System.Text;
using Microsoft.AspNetCore.Http;
using Tollgate.Metering;
using Tollgate.Metering.Costs;
using Tollgate.Metering.Meters;
using Tollgate.Metering.Parsing;

namespace Tollgate.Fuzz.Targets;

/// <summary>
/// The SSE splitter and the cost injector on the same bytes read whole and cut into reads: every byte
/// handed out once and in order; the blocks within the hold limit parsed alike; a block is parsed in
/// one of the runs only when the other parses it the same way or could not hold it; the client's
/// rewritten copy and the usage the same whatever the reads.
/// </summary>
internal static class SseTarget
{
    private static readonly (UsageDialect Dialect, string Path)[] Dialects =
    [
        (UsageDialect.OpenAi, "/v1/chat/completions"),
        (UsageDialect.Anthropic, "/v1/messages"),
        (UsageDialect.Google, "/v1beta/models/gemini-2.0-flash:streamGenerateContent"),
        (UsageDialect.OpenAi, "/v1/responses"),
    ];

    public static void Run(byte[] data)
    {
        var input = new FuzzInput(data);
        var body = input.Body;
        var limit = input.HoldLimit;
        var whole = Split(body, [(0, body.Length)], limit);
        var reads = Split(body, input.Reads(), limit);

        foreach (var block in reads.Where(b => !b.IsFragment))
        {
            FuzzFinding.Unless(whole.Contains(block), $"the block at {block.Start} was parsed differently when the body came in reads");
        }

        foreach (var block in whole.Where(b => !b.IsFragment && b.Raw.Length <= limit))
        {
            FuzzFinding.Unless(reads.Contains(block), $"the block at {block.Start} within the hold limit was not parsed when the body came in reads");
        }

        var dialect = Dialects[input.Control % Dialects.Length];
        var (wholeOutput, wholeUsage) = Inject(dialect, body, [(0, body.Length)], 0.25m);
        var (readsOutput, readsUsage) = Inject(dialect, body, input.Reads(), 0.25m);
        FuzzFinding.Unless(wholeOutput == readsOutput, "the client's copy with the cost differs with the reads");
        FuzzFinding.Unless(wholeUsage == readsUsage, $"usage {wholeUsage} whole, {readsUsage} in reads");
        var (unpriced, _) = Inject(dialect, body, input.Reads(), null);
        FuzzFinding.Unless(unpriced == Encoding.Latin1.GetString(body), "a stream without a price was changed");
    }

    private readonly record struct Block(long Start, string Raw, bool IsFragment, string Name, string Data, bool HasData);

    private static List<Block> Split(ReadOnlySpan<byte> body, List<(int Start, int Length)> reads, int limit)
    {
        var splitter = new SseEventSplitter(limit);
        var recorder = new Recorder();
        foreach (var (start, length) in reads)
        {
            splitter.Feed(body.Slice(start, length), recorder);
        }

        splitter.Complete(recorder);
        FuzzFinding.Unless(recorder.Tiled == body.Length, "the blocks do not tile the body");
        FuzzFinding.Unless(string.Concat(recorder.Blocks.Select(b => b.Raw)) == Encoding.Latin1.GetString(body), "the blocks' bytes are not the body's");
        return recorder.Blocks;
    }

    private static (string Output, string Usage) Inject((UsageDialect Dialect, string Path) dialect, ReadOnlySpan<byte> body, List<(int Start, int Length)> reads, decimal? cost)
    {
        var meter = (SseResponseMeter)ResponseMeters.Create(dialect.Dialect, dialect.Path, "m", 200, "text/event-stream", new HeaderDictionary())!;
        var injector = new SseCostInjector(meter.StreamedUsageObject!, () => cost);
        meter.InjectCost(injector);
        var output = new StringBuilder();
        foreach (var (start, length) in reads)
        {
            meter.Observe(body.Slice(start, length));
            output.Append(Encoding.Latin1.GetString(injector.Output.Span));
            injector.ClearOutput();
        }

        meter.Complete();
        output.Append(Encoding.Latin1.GetString(injector.Output.Span));
        injector.Release();
        FuzzFinding.Unless(!meter.Faulted, "the SSE meter faulted");
        return (output.ToString(), MeterRuns.Describe(meter));
    }

    private sealed class Recorder : ISseEventHandler
    {
        public List<Block> Blocks { get; } = [];

        public long Tiled { get; private set; }

        public void OnEvent(SseEvent sseEvent)
        {
            FuzzFinding.Unless(sseEvent.Start == Tiled, "a block does not start where the previous one ended");
            Tiled = sseEvent.End;
            Blocks.Add(new Block(
                sseEvent.Start,
                Encoding.Latin1.GetString(sseEvent.Raw),
                sseEvent.IsFragment,
                Encoding.Latin1.GetString(sseEvent.Name),
                Encoding.Latin1.GetString(sseEvent.Data),
                sseEvent.HasData));
        }
    }
}
