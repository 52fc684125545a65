namespace Tollgate.Guardrails;

/// <summary>When a guardrail runs (<c>mode:</c>; default <see cref="PreCall"/>).</summary>
internal enum GuardrailMode
{
    /// <summary>On the request, before it is forwarded.</summary>
    PreCall,

    /// <summary>On the provider's answer (not supported yet: refused at config load).</summary>
    PostCall,
}
