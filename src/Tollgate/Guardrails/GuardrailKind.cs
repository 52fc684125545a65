namespace Tollgate.Guardrails;

/// <summary>What a guardrail looks for (<c>kind:</c> in config).</summary>
internal enum GuardrailKind
{
    /// <summary>Case-insensitive whole words or phrases.</summary>
    Keywords,

    /// <summary>Regular expressions, compiled once, with a match time limit.</summary>
    Regex,

    /// <summary>The built-in detectors: email, phone, card, IBAN, SSN, secrets.</summary>
    Pii,

    /// <summary>An HTTP service that answers allow, block or mask.</summary>
    Webhook,
}
