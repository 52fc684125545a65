namespace Tollgate.Guardrails;

/// <summary>
/// What happens to a call on a provider route whose operation the gateway does not know the text fields of
/// (<see cref="KnownOperations"/>), when this guardrail applies to it (<c>on_unknown_shape:</c>).
/// </summary>
internal enum GuardrailUnknownShape
{
    /// <summary>Refuse with 400 before the call (the default): nothing unexamined reaches the provider.</summary>
    Refuse,

    /// <summary>Forward it unexamined, recorded as <c>skip</c> with <c>unknown_shape</c>.</summary>
    Forward,
}
