namespace Tollgate.Guardrails;

/// <summary>A span of one examined text that a detector matched, with its category and mask replacement.</summary>
/// <param name="Start">Index of the first matched character.</param>
/// <param name="Length">Number of matched characters.</param>
/// <param name="Category">What was found (<c>email</c>, <c>keyword</c>, …); recorded and reported, never the text itself.</param>
/// <param name="Replacement">What <c>action: mask</c> writes in its place (<c>[EMAIL]</c>, <c>[REDACTED]</c>, …).</param>
internal readonly record struct TextMatch(int Start, int Length, string Category, string Replacement)
{
    public int End => Start + Length;
}
