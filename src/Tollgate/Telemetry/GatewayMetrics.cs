using Prometheus;
using Tollgate.Metering;
using Tollgate.Metering.Pricing;
using Tollgate.Spend;

namespace Tollgate.Telemetry;

/// <summary>
/// What <c>GET /metrics</c> shows, in this gateway's own registry. Labels are provider names, status
/// codes, error types and model names the price table knows (anything else is <c>other</c>, so a client
/// cannot blow up the series count); never keys, hosts with credentials, or paths.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Histogram _overhead;
    private readonly Counter _tokens;
    private readonly Counter _spend;
    private readonly Counter _rejections;
    private readonly Counter _redisFallbacks;
    private readonly Gauge _redisDegraded;
    private readonly PriceTable _prices;

    public GatewayMetrics(PriceTable prices)
    {
        _prices = prices;
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("tollgate_requests_total", "Pass-through calls by provider and status code.", "provider", "status_code");
        _duration = factory.CreateHistogram("tollgate_request_duration_seconds", "Pass-through call time, first byte in to last byte out.",
            new HistogramConfiguration { LabelNames = ["provider"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 18) });
        _overhead = factory.CreateHistogram("tollgate_gateway_overhead_seconds", "Gateway time before the provider was asked (key checks, URL, credentials).",
            new HistogramConfiguration { LabelNames = ["provider"], Buckets = Histogram.ExponentialBuckets(0.00001, 2, 18) });
        _tokens = factory.CreateCounter("tollgate_tokens_total", "Tokens used, by provider, model and kind (input, output, cache_read, cache_creation).", "provider", "model", "kind");
        _spend = factory.CreateCounter("tollgate_spend_usd_total", "USD spent, by provider and model.", "provider", "model");
        _rejections = factory.CreateCounter("tollgate_rejections_total", "Calls the gateway refused before the provider, by error type (rate_limit_error, budget_exceeded, auth_error, …).", "type");
        _redisFallbacks = factory.CreateCounter("tollgate_redis_fallbacks_total", "Times key limits fell back to per-instance enforcement because Redis was unreachable.");
        _redisDegraded = factory.CreateGauge("tollgate_redis_degraded", "1 while key limits are enforced per instance because Redis is unreachable.");
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Reads the spend writer's counters at each scrape.</summary>
    public void Observe(SpendLogWriter writer)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        var depth = factory.CreateGauge("tollgate_spend_queue_depth", "Spend-log rows waiting to be written.");
        var written = factory.CreateCounter("tollgate_spend_rows_written_total", "Spend-log rows written to the database.");
        var retries = factory.CreateCounter("tollgate_spend_write_retries_total", "Spend-log batch writes retried after a database error.");
        var spilled = factory.CreateCounter("tollgate_spend_rows_spilled_total", "Spend-log rows kept in the spill file because the database refused them.");
        Registry.AddBeforeCollectCallback(() =>
        {
            depth.Set(writer.QueueDepth);
            written.IncTo(writer.Written);
            retries.IncTo(writer.Retries);
            spilled.IncTo(writer.Spilled);
        });
    }

    public void CallEnded(string provider, int statusCode, TimeSpan elapsed, double? overheadMs, string? model, TokenUsage? usage, decimal cost)
    {
        _requests.WithLabels(provider, StatusLabel(statusCode)).Inc();
        _duration.WithLabels(provider).Observe(elapsed.TotalSeconds);
        if (overheadMs is { } overhead)
        {
            _overhead.WithLabels(provider).Observe(overhead / 1000);
        }

        if (usage is null && cost == 0)
        {
            return;
        }

        var modelLabel = model is not null && _prices.TryGet(provider, model, out _) ? model : "other";
        if (usage is not null)
        {
            _tokens.WithLabels(provider, modelLabel, "input").Inc(usage.InputTokens);
            _tokens.WithLabels(provider, modelLabel, "output").Inc(usage.OutputTokens);
            _tokens.WithLabels(provider, modelLabel, "cache_read").Inc(usage.CacheReadInputTokens);
            _tokens.WithLabels(provider, modelLabel, "cache_creation").Inc(usage.CacheCreationInputTokens);
        }

        _spend.WithLabels(provider, modelLabel).Inc((double)cost);
    }

    public void Rejected(string errorType) => _rejections.WithLabels(errorType).Inc();

    public void RedisUnavailable()
    {
        _redisFallbacks.Inc();
        _redisDegraded.Set(1);
    }

    public void RedisRecovered() => _redisDegraded.Set(0);

    private static readonly string[] StatusLabels = [.. Enumerable.Range(0, 600).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static string StatusLabel(int code) => (uint)code < StatusLabels.Length ? StatusLabels[code] : "other";
}
