namespace Tollgate.Guardrails;

/// <summary>
/// What one guardrail did to one call, for the spend-log row's <c>metadata.guardrails</c>: never the text
/// it matched. A mask that found several kinds of thing records one decision per category.
/// </summary>
/// <param name="Name">The guardrail.</param>
/// <param name="Action">One of the constants below.</param>
/// <param name="Category">What was found (<c>email</c>, <c>keyword</c>, <c>pattern</c>, a webhook's category), or why it could not decide.</param>
/// <param name="Count">How many matches were masked.</param>
internal readonly record struct GuardrailDecision(string Name, string Action, string? Category = null, int Count = 0)
{
    public const string Allow = "allow";
    public const string Block = "block";
    public const string Mask = "mask";

    /// <summary>The body is of a kind guardrails do not examine (multipart, audio, images, octet-stream).</summary>
    public const string Skip = "skip";

    /// <summary>The guardrail could not decide and forwarded anyway (<c>on_error: fail_open</c>).</summary>
    public const string FailOpen = "fail_open";

    /// <summary>The guardrail could not decide and refused (<c>on_error: fail_closed</c>).</summary>
    public const string FailClosed = "fail_closed";
}
