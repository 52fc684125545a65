using CsCheck;
using Tollgate.Guardrails.Folding;

namespace Tollgate.Tests.Guardrails;

/// <summary>The fold's map back to the original text, which masking relies on.</summary>
public sealed class FoldedTextTests
{
    private static readonly Gen<string> Text = Gen.OneOf(
        "a", "B", " ", "  ", "\t", "\n", "-", "_", "é", "e\u0301", "\u200B", "\u00AD", "ｆ", "\uFB01", "\u043E", "\u039F", "\u3000", "\u00A0",
        "\U0001D429", "😀", "\uD800", "x", "7", ".", "\u2011", "\u2212").Array[0, 40].Select(string.Concat);

    [Fact]
    public void Every_folded_span_maps_back_to_an_ordered_span_of_the_original()
    {
        Gen.Select(Text, Gen.Bool).Sample((text, words) =>
        {
            using var folded = FoldedText.Rent().Fold(text, words ? FoldStyle.Words : FoldStyle.Numbers);
            var previousStart = 0;
            for (var i = 0; i < folded.Chars.Length; i++)
            {
                // Several folded characters may come from one original (a ligature, a surrogate pair): never backwards.
                var (start, length) = folded.Original(i, 1);
                Assert.InRange(start, previousStart, text.Length - 1);
                Assert.True(length >= 1 && start + length <= text.Length, $"{i}: {start}+{length} of {text.Length}");
                previousStart = start;
            }

            if (folded.Chars.Length > 0)
            {
                var (whole, wholeLength) = folded.Original(0, folded.Chars.Length);
                Assert.True(whole >= 0 && whole + wholeLength <= text.Length);
            }
        }, iter: 3000);
    }

    [Fact]
    public void Plain_ascii_words_fold_to_themselves_in_lower_case_one_to_one()
    {
        Gen.String[Gen.Char['a', 'z'], 0, 200].Sample(text =>
        {
            var upper = text.ToUpperInvariant();
            using var folded = FoldedText.Rent().Fold(upper, FoldStyle.Words);

            Assert.Equal(text, folded.Chars.ToString());
            for (var i = 0; i < text.Length; i++)
            {
                Assert.Equal((i, 1), folded.Original(i, 1));
            }
        });
    }

    [Theory]
    [InlineData("Project  -_ Falcon", "project falcon")]
    [InlineData("pr\u043Eject\u200B \uFF46alc\u00F3n", "project falcon")]
    [InlineData("\uFB01ne", "fine")]
    public void Words_fold_to_their_plain_lower_case_form(string text, string expected)
    {
        using var folded = FoldedText.Rent().Fold(text, FoldStyle.Words);

        Assert.Equal(expected, folded.Chars.ToString());
    }
}
