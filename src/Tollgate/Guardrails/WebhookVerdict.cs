namespace Tollgate.Guardrails;

/// <summary>A webhook guardrail's answer, or why there is none.</summary>
internal readonly record struct WebhookVerdict(WebhookVerdict.Outcome Kind, string? Category = null, string[]? Texts = null, Undecided? Error = null)
{
    public enum Outcome
    {
        Allow,
        Block,
        Mask,

        /// <summary>No usable answer: <see cref="Error"/> says why.</summary>
        Failed,

        /// <summary>The client went away while the webhook was asked.</summary>
        ClientAborted,
    }

    public static WebhookVerdict Failure(Undecided error) => new(Outcome.Failed, Error: error);
}
