namespace Tollgate.Guardrails;

/// <summary>The built-in detectors a <c>kind: pii</c> guardrail runs (<c>entities:</c>; default all).</summary>
[Flags]
internal enum PiiEntities
{
    None = 0,
    Email = 1,
    Phone = 2,
    Card = 4,
    Iban = 8,
    Ssn = 16,
    Secret = 32,
    All = Email | Phone | Card | Iban | Ssn | Secret,
}
