namespace Tollgate.Guardrails;

/// <summary>What happens when a guardrail cannot decide: its webhook fails or a pattern runs out of time (<c>on_error:</c>).</summary>
internal enum GuardrailOnError
{
    /// <summary>Refuse the request with 503 <c>guardrail_unavailable</c> (the default).</summary>
    FailClosed,

    /// <summary>Forward the request as it is.</summary>
    FailOpen,
}
