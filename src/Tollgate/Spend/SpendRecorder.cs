using System.Text.Encodings.Web;
using System.Text.Json;
using Tollgate.Calls;
using Tollgate.Errors;
using Tollgate.Guardrails;
using Tollgate.Keys;
using Tollgate.Metering;
using Tollgate.Metering.Costs;
using Tollgate.Telemetry;

namespace Tollgate.Spend;

/// <summary>Turns a finished call into its spend-log row and queues it; called once per matched request, whatever the outcome.</summary>
internal sealed class SpendRecorder(
    SpendLogWriter writer, SpendJournal journal, CallPricing pricing, IKeyLimiter limiter, KeySpendLedger ledger, GatewayMetrics metrics, TimeProvider time, SharedBudgetCounter? budgets = null)
{
    private static readonly JsonWriterOptions MetadataOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A call has started; its <see cref="RecordAsync"/> must follow, so a stopping gateway knows whose rows to wait for.</summary>
    public void Started() => writer.CallStarted();

    /// <summary>Builds and journals the call's row, then lets <paramref name="body"/> send what it held back, then queues the row.</summary>
    public async ValueTask RecordAsync(PassThroughCall call, MeteredResponseStream body)
    {
        var context = call.Context;
        var response = context.Response;
        var meter = call.Meter;
        meter?.Complete();
        var usage = meter?.Usage;

        var failure = call.Failure;
        var errorType = call.FailureAnswered ? GatewayErrors.Of(failure!.Error).Type : null;
        var forwardingError = ForwardingError(failure);
        var clientAborted = call.ClientAborted;
        var failed = response.StatusCode >= 400 || forwardingError is not null || clientAborted;
        var succeeded = call.Forwarded && !failed;
        var model = meter?.Model ?? call.RequestModel;
        var admission = call.Admission;
        if (admission.CountsTokens && admission.KeyHash is { } key && usage is not null)
        {
            limiter.RecordTokens(key, usage.TotalTokens);
        }

        var cost = pricing.Cost(call, model, usage, succeeded);
        var now = time.GetUtcNow();
        var charged = false;
        var writeNow = false;
        if (admission.Budget is var (counterKey, windowEnds))
        {
            if (budgets is { Reachable: false })
            {
                // Redis is away: the row itself tells the other instances, written before the answer ends (KeyBudget).
                writeNow = true;
            }
            else
            {
                // Counted now, so the key's next call sees it before this row is written.
                charged = admission.KeyHash is { } budgeted && ledger.Charge(budgeted, cost);
                budgets?.Add(counterKey, cost, windowEnds, now);
            }
        }

        var row = new SpendLogRow
        {
            RequestId = context.TraceIdentifier,
            ApiKey = admission.KeyHash?.ToString() ?? "",
            KeyAlias = admission.KeyAlias,
            Route = call.Path,
            CustomLlmProvider = call.Provider,
            ApiBase = call.UpstreamUri?.Host ?? "",
            Model = model,
            PromptTokens = usage?.InputTokens ?? 0,
            CompletionTokens = usage?.OutputTokens ?? 0,
            TotalTokens = usage?.TotalTokens ?? 0,
            CacheReadInputTokens = usage?.CacheReadInputTokens ?? 0,
            CacheCreationInputTokens = usage?.CacheCreationInputTokens ?? 0,
            Spend = cost,
            RequestTags = call.Tags,
            MetadataJson = Metadata(errorType, forwardingError, clientAborted, call.Guardrails),
            Status = failed ? "failure" : "success",
            StatusCode = response.StatusCode,
            Stream = IsStream(response.ContentType, call.Path),
            StartTime = call.Timing.StartTime,
            EndTime = now,
            CompletionStartTime = call.Timing.FirstByteTime,
            RequesterIpAddress = context.Connection.RemoteIpAddress?.ToString(),
            UsageEstimated = usage is { Reported: false },
            ChargedHere = charged,
        };

        // Before the answer ends: a killed process keeps the row.
        journal.Append(row);
        var written = writeNow && await writer.TryWriteNowAsync(row);
        if (writeNow && !written && admission.KeyHash is { } unwritten)
        {
            row = row with { ChargedHere = ledger.Charge(unwritten, cost) };
        }

        if (!await body.SendHeldAsync(context.RequestAborted))
        {
            // The client left at the last write: a killed process would replay the journaled row as it was.
            call.Fail(GatewayFailure.ClientLeftAtEnd);
            row = row with { Status = "failure", MetadataJson = Metadata(errorType, ForwardingError(call.Failure), clientAborted: true, call.Guardrails) };
        }

        metrics.CallEnded(call, response.StatusCode, call.Timing.Elapsed, model, usage, cost);
        if (!written)
        {
            await writer.EnqueueAsync(row);
        }
    }

    /// <summary>The row's <c>forwarding_error</c>: where forwarding stopped, or null.</summary>
    private static string? ForwardingError(GatewayFailure? failure) =>
        failure is { Forwarding: not Yarp.ReverseProxy.Forwarder.ForwarderError.None } ? failure.Forwarding.ToString() : null;

    private static bool IsStream(string? contentType, string path) =>
        contentType is not null && (contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/vnd.amazon.eventstream", StringComparison.OrdinalIgnoreCase))
        || path.Contains(":streamGenerateContent", StringComparison.Ordinal);

    private static string Metadata(string? errorType, string? forwardingError, bool clientAborted, List<GuardrailDecision>? guardrails)
    {
        if (errorType is null && forwardingError is null && !clientAborted && guardrails is null)
        {
            return "{}";
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, MetadataOptions))
        {
            json.WriteStartObject();
            if (errorType is not null)
            {
                json.WriteString("error_type", errorType);
            }

            if (forwardingError is not null)
            {
                json.WriteString("forwarding_error", forwardingError);
            }

            if (clientAborted)
            {
                json.WriteBoolean("client_aborted", true);
            }

            if (guardrails is not null)
            {
                // Names, actions and categories only: never the text a guardrail matched.
                json.WriteStartArray("guardrails");
                foreach (var decision in guardrails)
                {
                    json.WriteStartObject();
                    json.WriteString("name", decision.Name);
                    json.WriteString("action", decision.Action);
                    if (decision.Category is not null)
                    {
                        json.WriteString("category", decision.Category);
                    }

                    if (decision.Count > 0)
                    {
                        json.WriteNumber("count", decision.Count);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
