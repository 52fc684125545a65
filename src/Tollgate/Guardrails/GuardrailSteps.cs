using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Telemetry;

namespace Tollgate.Guardrails;

/// <summary>
/// Runs a plan's guardrails over the texts found in a request or an answer (<see cref="RequestGuardrails"/>,
/// <see cref="AnswerGuardrails"/>): a block refuses with 400 <c>guardrail_violation</c> naming the guardrail and
/// category; a mask replaces the matched spans; a webhook answers allow, block or mask. A guardrail that cannot
/// decide follows its <c>on_error</c>. Every decision is added to the call's list for its spend-log row.
/// </summary>
internal sealed partial class GuardrailSteps(
    GuardrailWebhookClient webhooks, GatewayLimits limits, TimeProvider time, ILogger<GuardrailSteps> logger)
{
    /// <returns>Null when every guardrail let the texts pass (some may be masked), or the refusal.</returns>
    public async ValueTask<GatewayFailure?> RunAsync(HttpContext context, GuardrailPlan plan, GuardrailTexts texts, List<GuardrailDecision> decisions, Scratch scratch)
    {
        foreach (var step in plan.Steps)
        {
            var refusal = step.Guardrail.Kind == GuardrailKind.Webhook
                ? await RunWebhookAsync(context, step, texts, decisions, scratch)
                : RunDetector(step, texts, decisions, scratch);
            if (refusal is not null)
            {
                return refusal;
            }
        }

        return null;
    }

    /// <summary>The plan's guardrails cannot decide on an answer: the first that fails closed refuses.</summary>
    public GatewayFailure? CannotDecide(GuardrailPlan plan, Undecided reason, List<GuardrailDecision> decisions)
    {
        foreach (var step in plan.Steps)
        {
            if (CannotDecide(step.Guardrail, reason, decisions) is { } refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    public static void AddAll(List<GuardrailDecision> decisions, GuardrailPlan plan, string action, string? category)
    {
        foreach (var step in plan.Steps)
        {
            decisions.Add(new GuardrailDecision(step.Guardrail.Name, action, category));
        }
    }

    /// <summary>The encoding when a body is compressed, else null.</summary>
    public static string? Compressed(Microsoft.Extensions.Primitives.StringValues encoding) =>
        encoding.Count > 0 && !string.Equals(encoding.ToString(), "identity", StringComparison.OrdinalIgnoreCase) ? encoding.ToString() : null;

    private GatewayFailure? RunDetector(GuardrailStep step, GuardrailTexts texts, List<GuardrailDecision> decisions, Scratch scratch)
    {
        var guardrail = step.Guardrail;
        var detector = guardrail.Detector!;
        var timed = guardrail.Kind is GuardrailKind.Regex or GuardrailKind.Keywords;
        var started = time.GetTimestamp();
        try
        {
            if (guardrail.Action == GuardrailAction.Block)
            {
                for (var i = 0; i < texts.Count; i++)
                {
                    if ((texts.Selectors(i) & step.Selector) == 0)
                    {
                        continue;
                    }

                    if (detector.FindFirst(texts.Text(i)) is { } category)
                    {
                        decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Block, category, 1));
                        return Violation(guardrail.Name, category);
                    }

                    CheckTime(timed, started, guardrail);
                }

                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow));
                return null;
            }

            var counts = scratch.Counts;
            counts.Clear();
            for (var i = 0; i < texts.Count; i++)
            {
                if ((texts.Selectors(i) & step.Selector) == 0)
                {
                    continue;
                }

                var matches = scratch.Matches;
                matches.Clear();
                var text = texts.Text(i);
                detector.FindAll(text, matches);
                if (matches.Count > 0)
                {
                    TextMasker.Normalize(matches);
                    foreach (var match in matches)
                    {
                        counts[match.Category] = counts.GetValueOrDefault(match.Category) + 1;
                    }

                    texts.Replace(i, TextMasker.Apply(text, matches, scratch.Builder));
                }

                CheckTime(timed, started, guardrail);
            }

            if (counts.Count == 0)
            {
                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow));
            }

            foreach (var (category, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Mask, category, count));
            }

            return null;
        }
        catch (RegexMatchTimeoutException)
        {
            return CannotDecide(guardrail, new(UndecidedReason.Timeout), decisions);
        }
    }

    private async Task<GatewayFailure?> RunWebhookAsync(HttpContext context, GuardrailStep step, GuardrailTexts texts, List<GuardrailDecision> decisions, Scratch scratch)
    {
        var guardrail = step.Guardrail;
        var selected = scratch.Selected;
        selected.Clear();
        for (var i = 0; i < texts.Count; i++)
        {
            if ((texts.Selectors(i) & step.Selector) != 0)
            {
                selected.Add(i);
            }
        }

        if (selected.Count == 0)
        {
            decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow));
            return null;
        }

        var verdict = await webhooks.CheckAsync(guardrail, texts, selected, context.TraceIdentifier, context.RequestAborted);
        switch (verdict.Kind)
        {
            case WebhookVerdict.Outcome.Allow:
                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow));
                return null;

            case WebhookVerdict.Outcome.Block:
                decisions.Add(new GuardrailDecision(guardrail.Name, GuardrailDecision.Block, verdict.Category, 1));
                return Violation(guardrail.Name, verdict.Category!);

            case WebhookVerdict.Outcome.Mask:
                var changed = 0;
                for (var j = 0; j < selected.Count; j++)
                {
                    if (!texts.Text(selected[j]).SequenceEqual(verdict.Texts![j]))
                    {
                        texts.Replace(selected[j], verdict.Texts[j]);
                        changed++;
                    }
                }

                decisions.Add(changed == 0
                    ? new GuardrailDecision(guardrail.Name, GuardrailDecision.Allow)
                    : new GuardrailDecision(guardrail.Name, GuardrailDecision.Mask, verdict.Category, changed));
                return null;

            case WebhookVerdict.Outcome.ClientAborted:
                return new GatewayFailure(GatewayError.InvalidRequest, "The client went away while its request was being checked.");

            default:
                return CannotDecide(guardrail, verdict.Error!.Value, decisions);
        }
    }

    private GatewayFailure? CannotDecide(Guardrail guardrail, Undecided reason, List<GuardrailDecision> decisions)
    {
        var failOpen = guardrail.OnError == GuardrailOnError.FailOpen;
        var code = reason.Code;
        Log.CouldNotDecide(logger, guardrail.Name, code, failOpen ? "fail_open" : "fail_closed");
        decisions.Add(new GuardrailDecision(guardrail.Name, failOpen ? GuardrailDecision.FailOpen : GuardrailDecision.FailClosed, code));
        if (failOpen)
        {
            return null;
        }

        return new GatewayFailure(GatewayError.GuardrailUnavailable,
            $"Guardrail '{guardrail.Name}' could not decide ({reason.Describe(guardrail, limits.MaxRequestBodyBytes)}) and fails closed; "
            + (guardrail.Mode == GuardrailMode.PostCall ? "the provider's answer was withheld." : "the request was not forwarded."));
    }

    private void CheckTime(bool timed, long started, Guardrail guardrail)
    {
        // Each regex call is bounded by its own timeout; this bounds the sum over many texts.
        if (timed && time.GetElapsedTime(started) > guardrail.Timeout)
        {
            throw new RegexMatchTimeoutException();
        }
    }

    private static GatewayFailure Violation(string name, string category) =>
        new(GatewayError.GuardrailViolation, $"Blocked by guardrail '{name}': {category}");

    /// <summary>Working lists, made once per checked request or answer.</summary>
    internal sealed class Scratch
    {
        public List<TextMatch> Matches { get; } = [];

        public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

        public List<int> Selected { get; } = [];

        public StringBuilder Builder { get; } = new();
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.GuardrailCouldNotDecide, LogLevel.Warning, "Guardrail {Guardrail} could not decide ({Reason}); {OnError}")]
        public static partial void CouldNotDecide(ILogger logger, string guardrail, string reason, string onError);
    }
}
