using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Tollgate.Guardrails.Folding;

/// <summary>
/// The Unicode data <see cref="FoldedText"/> needs, from the text files beside this one (tools/folding_tables.py
/// makes them). The runtime runs with invariant globalization, which has no normalization data of its own.
/// </summary>
internal static class FoldingTables
{
    private static readonly FrozenDictionary<int, string> Decompositions = Load("Tollgate.decompositions.txt", Decomposition);
    private static readonly FrozenDictionary<int, char> LookAlikes = Load("Tollgate.confusables.txt", value => value[0]);

    /// <summary>What <paramref name="codePoint"/> reads as under NFKD, without combining marks; null when itself.</summary>
    public static string? Decompose(int codePoint) => Decompositions.GetValueOrDefault(codePoint);

    /// <summary>The Latin letter (lower case) or digit <paramref name="codePoint"/> looks like (Unicode TS #39), or null.</summary>
    public static char? LooksLike(int codePoint) => LookAlikes.TryGetValue(codePoint, out var latin) ? latin : null;

    private static string Decomposition(string codePoints)
    {
        var text = new StringBuilder();
        foreach (var hex in codePoints.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            text.Append(char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }

        return text.ToString();
    }

    private static FrozenDictionary<int, T> Load<T>(string resource, Func<string, T> value)
    {
        using var stream = typeof(FoldingTables).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The folding table {resource} is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var table = new Dictionary<int, T>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.IndexOf(' ');
            table[int.Parse(line.AsSpan(0, space), NumberStyles.HexNumber, CultureInfo.InvariantCulture)] = value(line[(space + 1)..]);
        }

        return table.ToFrozenDictionary();
    }
}
