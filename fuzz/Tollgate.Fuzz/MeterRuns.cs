using Microsoft.AspNetCore.Http;
using Tollgate.Metering;
using Tollgate.Metering.Meters;

namespace Tollgate.Fuzz;

/// <summary>Runs a response meter over a body read in given pieces.</summary>
internal static class MeterRuns
{
    /// <returns>What the meter found, as text to compare.</returns>
    public static string Meter(UsageDialect dialect, string path, string contentType, ReadOnlySpan<byte> body, List<(int Start, int Length)> reads)
    {
        var meter = (ResponseMeter)ResponseMeters.Create(dialect, path, null, 200, contentType, new HeaderDictionary())!;
        foreach (var (start, length) in reads)
        {
            meter.Observe(body.Slice(start, length));
        }

        meter.Complete();
        FuzzFinding.Unless(!meter.Faulted, $"the {dialect} {contentType} meter faulted");
        FuzzFinding.Unless(meter.BufferCapacity == 0, "the meter kept pooled memory after the body ended");
        return Describe(meter);
    }

    public static string Describe(IResponseMeter meter)
    {
        var u = meter.Usage;
        return $"{u.InputTokens}/{u.OutputTokens}/{u.CacheReadInputTokens}/{u.CacheCreationInputTokens}/{u.CacheCreation1hInputTokens}/{u.ReasoningTokens}/{u.SearchUnits}/{u.Reported} {meter.ResponseModel}";
    }
}
