using System.Text;
using Tollgate.Guardrails;

namespace Tollgate.Fuzz.Targets;

/// <summary>
/// The guardrails' JSON rewriting: a body that is not one well-formed JSON value is refused (false),
/// never an exception; one that is has its texts masked by the PII detectors (and some replaced by
/// strings that need escaping), and the rewritten body is exactly as long as announced, reads back as
/// JSON with the same texts in the same places, each the replacement, and is byte-identical when nothing changed.
/// </summary>
internal static class GuardrailJsonTarget
{
    private static readonly TextPathSet[] PathSets =
    [
        TextPathSet.Build([([JsonTextPath.Everything], 1)]),
        TextPathSet.Build([(RequestTextPaths.ProviderShapes, 1)]),
        TextPathSet.Build([(ResponseTextPaths.ProviderShapes, 1)]),
    ];

    private static readonly PiiDetector Pii = new(PiiEntities.All);

    private static readonly string[] Awkward = ["\"", "\\", "\u0000", "\u001f", "\n\r\t\b\f", "\u2028", "é", "😀", "</script>", ""];

    public static void Run(byte[] data)
    {
        var input = new FuzzInput(data);
        var body = input.Body;
        var paths = PathSets[input.Control % PathSets.Length];
        using var texts = new GuardrailTexts();
        if (!texts.TryExtract(body, paths))
        {
            return;
        }

        var expected = new string[texts.Count];
        var matches = new List<TextMatch>();
        var builder = new StringBuilder();
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts.Text(i);
            matches.Clear();
            Pii.FindAll(text, matches);
            TextMasker.Normalize(matches);
            for (var m = 0; m < matches.Count; m++)
            {
                FuzzFinding.Unless(matches[m].Start >= 0 && matches[m].Length > 0 && matches[m].End <= text.Length, "a match lies outside its text");
                FuzzFinding.Unless(m == 0 || matches[m].Start >= matches[m - 1].End, "normalised matches overlap or are out of order");
            }

            var masked = TextMasker.Apply(text, matches, builder);
            if ((i + input.Control) % 3 == 0)
            {
                masked = Awkward[(i + input.Control) % Awkward.Length] + masked + Awkward[(i * 7 + input.Control) % Awkward.Length];
            }

            texts.Replace(i, masked);
            expected[i] = masked;
        }

        var length = texts.RewrittenLength(body);
        var rewritten = new byte[length];
        FuzzFinding.Unless(texts.Rewrite(body, rewritten) == length, "the rewritten body is not as long as announced");
        if (!texts.Changed)
        {
            FuzzFinding.Unless(rewritten.AsSpan().SequenceEqual(body), "a body without replacements was changed");
        }

        using var again = new GuardrailTexts();
        FuzzFinding.Unless(again.TryExtract(rewritten, paths), "the rewritten body is not JSON the guardrails can read");
        FuzzFinding.Unless(again.Count == expected.Length, "the rewritten body has other texts");
        for (var i = 0; i < expected.Length; i++)
        {
            FuzzFinding.Unless(again.Text(i).SequenceEqual(expected[i]), $"text {i} does not read back as its replacement");
        }
    }
}
