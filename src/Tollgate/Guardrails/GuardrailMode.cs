namespace Tollgate.Guardrails;

/// <summary>When a guardrail runs (<c>mode:</c>; default <see cref="PreCall"/>).</summary>
internal enum GuardrailMode
{
    /// <summary>On the request, before it is forwarded.</summary>
    PreCall,

    /// <summary>On the provider's answer: a non-streamed JSON answer is held, checked, then sent (masked or refused).</summary>
    PostCall,
}
