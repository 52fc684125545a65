namespace Tollgate.Guardrails;

/// <summary><c>kind: pii</c>: runs the chosen <see cref="PiiScanner"/> detectors, in the order of <see cref="PiiEntities"/>.</summary>
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
        foreach (var (entity, scan) in Scanners)
        {
            if ((Entities & entity) != 0)
            {
                scan(text, matches);
            }
        }
    }

    public string? FindFirst(ReadOnlySpan<char> text)
    {
        foreach (var (entity, scan) in Scanners)
        {
            if ((Entities & entity) != 0 && scan(text, null))
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
