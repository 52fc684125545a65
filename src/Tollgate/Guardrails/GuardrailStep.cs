namespace Tollgate.Guardrails;

/// <summary>A guardrail in a route's plan and the selector bit of the texts it examines.</summary>
internal readonly record struct GuardrailStep(Guardrail Guardrail, ulong Selector);
