using Tollgate.Guardrails.Folding;

namespace Tollgate.Guardrails;

/// <summary>
/// <c>kind: pii</c>: runs the chosen <see cref="PiiScanner"/> detectors, in the order of <see cref="PiiEntities"/>, on
/// the folded text (<see cref="FoldedText"/>, numbers style: fullwidth digits, invisible characters, any dash and
/// any run of white space do not matter), and masks the original characters.
/// </summary>
internal sealed class PiiDetector(PiiEntities entities) : ITextDetector
{
    private delegate bool Scanner(ReadOnlySpan<char> text, List<TextMatch>? into);

    private static readonly (PiiEntities Entity, Scanner Scan)[] Scanners =
    [
        (PiiEntities.Email, PiiScanner.Emails),
        (PiiEntities.Phone, PiiScanner.Phones),
        (PiiEntities.Card, PiiScanner.Cards),
        (PiiEntities.Iban, PiiScanner.Ibans),
        (PiiEntities.Ssn, PiiScanner.Ssns),
        (PiiEntities.Secret, PiiScanner.Secrets),
    ];

    public PiiEntities Entities { get; } = entities;

    public void FindAll(ReadOnlySpan<char> text, List<TextMatch> matches)
    {
        using var folded = FoldedText.Rent().Fold(text, FoldStyle.Numbers);
        var first = matches.Count;
        foreach (var (entity, scan) in Scanners)
        {
            if ((Entities & entity) != 0)
            {
                scan(folded.Chars, matches);
            }
        }

        for (var i = first; i < matches.Count; i++)
        {
            var (start, length) = folded.Original(matches[i].Start, matches[i].Length);
            matches[i] = matches[i] with { Start = start, Length = length };
        }
    }

    public string? FindFirst(ReadOnlySpan<char> text)
    {
        using var folded = FoldedText.Rent().Fold(text, FoldStyle.Numbers);
        foreach (var (entity, scan) in Scanners)
        {
            if ((Entities & entity) != 0 && scan(folded.Chars, null))
            {
                return Category(entity);
            }
        }

        return null;
    }

    public static string Category(PiiEntities entity) => entity switch
    {
        PiiEntities.Email => PiiScanner.EmailCategory,
        PiiEntities.Phone => PiiScanner.PhoneCategory,
        PiiEntities.Card => PiiScanner.CardCategory,
        PiiEntities.Iban => PiiScanner.IbanCategory,
        PiiEntities.Ssn => PiiScanner.SsnCategory,
        _ => PiiScanner.SecretCategory,
    };

    /// <summary>The config name of each entity (<c>entities:</c>), which is also its category.</summary>
    public static bool TryParse(string name, out PiiEntities entity)
    {
        foreach (var (candidate, _) in Scanners)
        {
            if (string.Equals(Category(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                entity = candidate;
                return true;
            }
        }

        entity = PiiEntities.None;
        return false;
    }

    public static IEnumerable<string> Names => Scanners.Select(s => Category(s.Entity));
}
