using Tollgate.Fuzz.Targets;

namespace Tollgate.Fuzz;

/// <summary>The fuzz targets by the name fuzz/run.sh and the corpus folders use. Each throws <see cref="FuzzFinding"/> when an invariant breaks.</summary>
internal static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> ByName = new Dictionary<string, Action<byte[]>>
    {
        ["sse"] = SseTarget.Run,
        ["eventstream"] = EventStreamTarget.Run,
        ["jsonseq"] = JsonSequenceTarget.Run,
        ["guardrail-json"] = GuardrailJsonTarget.Run,
        ["upstream-path"] = UpstreamPathTarget.Run,
    };
}
