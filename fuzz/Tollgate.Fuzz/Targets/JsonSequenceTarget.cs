using System.Text;
using Tollgate.Metering;
using Tollgate.Metering.Parsing;

namespace Tollgate.Fuzz.Targets;

/// <summary>
/// The JSON sequence splitter on the same bytes read whole and cut into reads: the same objects in
/// the same order (one over the hold limit may be dropped instead, never anything else), the same
/// verdict on the brackets, and the same Gemini and Cohere usage.
/// </summary>
internal static class JsonSequenceTarget
{
    public static void Run(byte[] data)
    {
        var input = new FuzzInput(data);
        var body = input.Body;
        var limit = input.HoldLimit;
        var (wholeFailed, whole) = Split(body, [(0, body.Length)], limit);
        var (readsFailed, reads) = Split(body, input.Reads(), limit);

        FuzzFinding.Unless(wholeFailed == readsFailed, $"the brackets failed {(wholeFailed ? "whole" : "in reads")} only");
        var next = 0;
        foreach (var element in whole)
        {
            if (next < reads.Count && reads[next] == element)
            {
                next++;
            }
            else
            {
                FuzzFinding.Unless(element.Length > limit, $"an object of {element.Length} bytes within the hold limit was not handed out in reads");
            }
        }

        FuzzFinding.Unless(next == reads.Count, "an object was handed out in reads that was not there whole");

        foreach (var (dialect, path, contentType) in new[]
        {
            (UsageDialect.Google, "/v1beta/models/gemini-2.0-flash:streamGenerateContent", "application/json"),
            (UsageDialect.Cohere, "/v1/chat", "application/stream+json"),
        })
        {
            var wholeUsage = MeterRuns.Meter(dialect, path, contentType, body, [(0, body.Length)]);
            var readsUsage = MeterRuns.Meter(dialect, path, contentType, body, input.Reads());
            FuzzFinding.Unless(wholeUsage == readsUsage, $"{dialect} usage {wholeUsage} whole, {readsUsage} in reads");
        }
    }

    private static (bool Failed, List<string> Elements) Split(ReadOnlySpan<byte> body, List<(int Start, int Length)> reads, int limit)
    {
        var splitter = new JsonSequenceSplitter(limit);
        var recorder = new Recorder();
        foreach (var (start, length) in reads)
        {
            splitter.Feed(body.Slice(start, length), recorder);
        }

        splitter.Complete();
        FuzzFinding.Unless(splitter.BufferCapacity == 0, "the splitter kept pooled memory after the body ended");
        return (splitter.Failed, recorder.Elements);
    }

    private sealed class Recorder : IJsonElementHandler
    {
        public List<string> Elements { get; } = [];

        public void OnElement(ReadOnlySpan<byte> json)
        {
            // Only bracket depth is tracked, not which kind closes (bad JSON then fails in the reader): "{]" is an object here.
            FuzzFinding.Unless(json.Length >= 2 && json[0] == '{' && json[^1] is (byte)'}' or (byte)']', "an object handed out does not run from '{' to a closing bracket");
            Elements.Add(Encoding.Latin1.GetString(json));
        }
    }
}
