namespace Tollgate.Guardrails;

/// <summary>Finds what a keywords, regex or pii guardrail looks for in one text.</summary>
internal interface ITextDetector
{
    /// <summary>Adds every match in <paramref name="text"/>, in any order; matches may overlap (the caller merges them).</summary>
    /// <exception cref="System.Text.RegularExpressions.RegexMatchTimeoutException">A pattern ran out of time.</exception>
    void FindAll(ReadOnlySpan<char> text, List<TextMatch> matches);

    /// <summary>The category of a match in <paramref name="text"/>, or null when there is none; stops at the first.</summary>
    /// <exception cref="System.Text.RegularExpressions.RegexMatchTimeoutException">A pattern ran out of time.</exception>
    string? FindFirst(ReadOnlySpan<char> text);
}
