using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Tollgate.Calls;
using Tollgate.Metering;
using Tollgate.Metering.Costs;
using Tollgate.Metering.Pricing;
using Tollgate.Routing;
using Tollgate.Telemetry;

namespace Tollgate.Benchmarks;

/// <summary>
/// A finished call's bookkeeping on the request thread: pricing the model the provider reported (a
/// dated snapshot or a Bedrock regional profile, so the name has to be normalised to find its price)
/// and formatting the cost header; then counting the call, its tokens and spend in the metrics.
/// </summary>
[MemoryDiagnoser]
public class CostBenchmarks
{
    private static readonly TokenUsage Usage = new() { InputTokens = 1117, OutputTokens = 62, CacheReadInputTokens = 512, Reported = true };

    private readonly PriceTable _prices = PriceTable.BuiltIn.WithOverrides(new Dictionary<string, ModelPriceOverride>());
    private GatewayMetrics _metrics = null!;
    private string _provider = "";
    private string _model = "";
    private PassThroughCall _call = null!;

    [Params("openai/gpt-4o-mini-2024-07-18", "bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0")]
    public string Reported { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var slash = Reported.IndexOf('/', StringComparison.Ordinal);
        (_provider, _model) = (Reported[..slash], Reported[(slash + 1)..]);
        _metrics = new GatewayMetrics(_prices);
        var route = BenchmarkRoutes.Provider(_provider);
        _call = new PassThroughCall(new DefaultHttpContext(), route, new RawRequestTarget(route.Prefix + "/v1/chat/completions", route.Prefix.Length, route.Prefix.Length + 20), TimeProvider.System);

        // A forwarded call, so the gateway-time histogram is observed as in a real one.
        _call.Timing.RequestSent();
        _call.Timing.Finish();
        if (PriceCall().Length < 3)
        {
            throw new InvalidOperationException($"{Reported} has no price");
        }
    }

    [Benchmark]
    public string PriceCall()
    {
        _prices.TryGet(_provider, _model, out var price);
        return CostJson.Format(price is null ? 0 : CostCalculator.Cost(price, Usage));
    }

    [Benchmark]
    public void CountCall() => _metrics.CallEnded(_call, 200, TimeSpan.FromMilliseconds(1.5), _model, Usage, 0.000123m);
}
