using System.Collections.Concurrent;
using Prometheus;
using Tollgate.Calls;
using Tollgate.Forwarding;
using Tollgate.Metering;
using Tollgate.Metering.Pricing;
using Tollgate.Routing;
using Tollgate.Spend;
using Yarp.ReverseProxy.Forwarder;

namespace Tollgate.Telemetry;

/// <summary>
/// What <c>GET /metrics</c> shows, in this gateway's own registry. Labels are provider names, status
/// codes, error types and model names the price table knows (anything else is <c>other</c>, so a client
/// cannot blow up the series count); never keys, hosts with credentials, or paths.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly Counter _requests;
    private readonly Counter _upstreamErrors;
    private readonly Histogram _duration;
    private readonly Histogram _overhead;
    private readonly Counter _tokens;
    private readonly Counter _spend;
    private readonly Counter _rejections;
    private readonly Counter _redisFallbacks;
    private readonly Gauge _redisDegraded;
    private readonly PriceTable _prices;
    private readonly ConcurrentDictionary<string, ProviderSeries> _providers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PassThroughRoute, RouteSeries> _routes = new();

    public GatewayMetrics(PriceTable prices)
    {
        _prices = prices;
        Registry = Metrics.NewCustomRegistry();

        // The process's CPU, memory, threads and GC counts, read at each scrape (nothing per call).
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("tollgate_requests_total", "Pass-through calls by provider, route prefix and status code.", "provider", "route", "status_code");
        _upstreamErrors = factory.CreateCounter("tollgate_upstream_errors_total",
            "Calls the provider failed: unreachable, reset, timed out or broke off mid-answer (error: the forwarder's error name).", "provider", "route", "error");
        _duration = factory.CreateHistogram("tollgate_request_duration_seconds", "Pass-through call time, first byte in to last byte out.",
            new HistogramConfiguration { LabelNames = ["provider"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 18) });
        _overhead = factory.CreateHistogram("tollgate_gateway_overhead_seconds",
            "Gateway time of a forwarded call: its whole time minus the waits for the provider's headers and each part of its body (streams included).",
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

    /// <summary>Reads the bytes held by buffered request bodies at each scrape.</summary>
    public void Observe(RequestBufferBudget budget)
    {
        var held = Metrics.WithCustomRegistry(Registry).CreateGauge(
            "tollgate_buffered_request_bytes", "Request-body bytes held in memory now (general_settings.max_buffered_request_mb caps them).");
        Registry.AddBeforeCollectCallback(() => held.Set(budget.InUse));
    }

    public void CallEnded(PassThroughCall call, int statusCode, TimeSpan elapsed, string? model, TokenUsage? usage, decimal cost)
    {
        var byRoute = _routes.GetOrAdd(call.Route, static (route, metrics) => new RouteSeries(metrics, route), this);
        var series = byRoute.Provider;
        byRoute.Requests(statusCode).Inc();
        if (call.Failure is { ProviderSide: true } failure)
        {
            byRoute.UpstreamErrors(failure.Forwarding).Inc();
        }

        series.Duration.Observe(elapsed.TotalSeconds);
        if (call.Timing.GatewayTime is { } gateway)
        {
            series.Overhead.Observe(Math.Max(0, gateway.TotalSeconds));
        }

        if (usage is null && cost == 0)
        {
            return;
        }

        var byModel = series.Model(model is null ? null : _prices.ListedName(call.Provider, model));
        if (usage is not null)
        {
            byModel.InputTokens.Inc(usage.InputTokens);
            byModel.OutputTokens.Inc(usage.OutputTokens);
            byModel.CacheReadTokens.Inc(usage.CacheReadInputTokens);
            byModel.CacheCreationTokens.Inc(usage.CacheCreationInputTokens);
        }

        byModel.Usd.Inc((double)cost);
    }

    public void Rejected(string errorType) => _rejections.WithLabels(errorType).Inc();

    public void RedisUnavailable()
    {
        _redisFallbacks.Inc();
        _redisDegraded.Set(1);
    }

    public void RedisRecovered() => _redisDegraded.Set(0);

    private static readonly string[] StatusLabels = [.. Enumerable.Range(0, 600).Select(code => code.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>One route's series: requests by status code and upstream errors by kind; its provider's series.</summary>
    private sealed class RouteSeries(GatewayMetrics metrics, PassThroughRoute route)
    {
        private readonly Counter.Child?[] _requestsByStatus = new Counter.Child?[StatusLabels.Length + 1];
        private readonly ConcurrentDictionary<ForwarderError, Counter.Child> _errors = new();

        public ProviderSeries Provider { get; } = metrics._providers.GetOrAdd(route.Provider, static (name, metrics) => new ProviderSeries(metrics, name), metrics);

        public Counter.Child Requests(int statusCode)
        {
            var slot = (uint)statusCode < StatusLabels.Length ? statusCode : StatusLabels.Length;
            return _requestsByStatus[slot] ??= metrics._requests.WithLabels(route.Provider, route.Prefix, slot < StatusLabels.Length ? StatusLabels[slot] : "other");
        }

        // Rare, so the closure per call is fine.
        public Counter.Child UpstreamErrors(ForwarderError error) =>
            _errors.GetOrAdd(error, e => metrics._upstreamErrors.WithLabels(route.Provider, route.Prefix, e.ToString()));
    }

    /// <summary>One provider's series: the histograms, and tokens and spend by model.</summary>
    private sealed class ProviderSeries(GatewayMetrics metrics, string provider)
    {
        private readonly ConcurrentDictionary<string, ModelSeries> _models = new(StringComparer.Ordinal);

        public Histogram.Child Duration { get; } = metrics._duration.WithLabels(provider);

        public Histogram.Child Overhead { get; } = metrics._overhead.WithLabels(provider);

        /// <param name="listedName">The price table's name for the model, or null for <c>other</c>.</param>
        public ModelSeries Model(string? listedName) =>
            _models.GetOrAdd(listedName ?? "other", static (label, names) => new ModelSeries(names.metrics, names.provider, label), (metrics, provider));
    }

    private sealed class ModelSeries(GatewayMetrics metrics, string provider, string model)
    {
        public Counter.Child InputTokens { get; } = metrics._tokens.WithLabels(provider, model, "input");

        public Counter.Child OutputTokens { get; } = metrics._tokens.WithLabels(provider, model, "output");

        public Counter.Child CacheReadTokens { get; } = metrics._tokens.WithLabels(provider, model, "cache_read");

        public Counter.Child CacheCreationTokens { get; } = metrics._tokens.WithLabels(provider, model, "cache_creation");

        public Counter.Child Usd { get; } = metrics._spend.WithLabels(provider, model);
    }
}
