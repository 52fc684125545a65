namespace Tollgate.Guardrails;

/// <summary>What a detector guardrail does with a match (<c>action:</c>; default <see cref="Block"/>).</summary>
internal enum GuardrailAction
{
    /// <summary>Refuse the request with 400 <c>guardrail_violation</c>.</summary>
    Block,

    /// <summary>Replace the matched text and forward the rewritten body.</summary>
    Mask,
}
