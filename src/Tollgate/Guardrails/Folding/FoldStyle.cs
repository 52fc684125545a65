namespace Tollgate.Guardrails.Folding;

/// <summary>How <see cref="FoldedText"/> folds.</summary>
internal enum FoldStyle
{
    /// <summary>For keywords: lower case, look-alike letters as Latin, dashes and underscores as spaces.</summary>
    Words,

    /// <summary>For the PII scanners: case and letters kept, every dash as <c>-</c>.</summary>
    Numbers,
}
