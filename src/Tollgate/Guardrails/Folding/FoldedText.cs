using System.Buffers;
using System.Globalization;
using System.Text;

namespace Tollgate.Guardrails.Folding;

/// <summary>
/// A text folded so that look-alike spellings of the same words read the same, with where each folded character
/// came from: a match found on the folded text masks the original characters it came from (issue 13, defect 5).
/// </summary>
/// <remarks>
/// Every style drops default-ignorable code points (zero-width space and joiners, the soft hyphen, variation
/// selectors, bidi controls, tags), takes the compatibility decomposition (NFKD: fullwidth and mathematical letters
/// and digits, ligatures, superscripts) and drops the combining marks it leaves (accents), and reads any run of white
/// space as one space (the data: <see cref="FoldingTables"/>). <see cref="FoldStyle.Words"/> also lower-cases, reads
/// a character that looks like a Latin letter or digit as that letter (Cyrillic <c>о</c> as <c>o</c>, Unicode TS
/// #39), and reads dashes and underscores as spaces (<c>project-falcon</c> as <c>project falcon</c>).
/// <see cref="FoldStyle.Numbers"/> reads every dash as <c>-</c> instead, for the PII scanners' separators.
/// </remarks>
internal sealed class FoldedText : IDisposable
{
    [ThreadStatic]
    private static FoldedText? t_cached;

    /// <summary>
    /// Where the folded text stops following the original one to one: the folded character at <see cref="Break.Folded"/>
    /// came from the original <see cref="Break.Start"/> to <see cref="Break.End"/>, and the ones after it, up to the
    /// next break, from one original character each onwards. Most text needs few (none for plain ASCII prose).
    /// </summary>
    private readonly List<Break> _breaks = [];
    private char[] _chars = [];
    private int _length;

    /// <summary>Where the next folded character comes from if it follows one to one.</summary>
    private int _expected;

    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, _length);

    /// <summary>One per thread, reused; give it back with <see cref="Dispose"/>.</summary>
    public static FoldedText Rent()
    {
        var folded = t_cached ?? new FoldedText();
        t_cached = null;
        return folded;
    }

    /// <summary>The original span a folded span came from.</summary>
    public (int Start, int Length) Original(int start, int length)
    {
        var (from, _) = Source(start);
        var (_, to) = Source(start + length - 1);
        return (from, to - from);
    }

    public FoldedText Fold(ReadOnlySpan<char> text, FoldStyle style)
    {
        _length = 0;
        _expected = 0;
        _breaks.Clear();
        if (_chars.Length < text.Length)
        {
            Grow(text.Length);
        }

        var table = FoldTable.For(style);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c < 0x80)
            {
                // Nearly all text: long runs vectorised, and the spaces and stops between words of other scripts one by one.
                var ascii = text[i..].IndexOfAnyExceptInRange('\0', '\x7F');
                ascii = ascii < 0 ? text.Length - i : ascii;
                if (ascii >= 16)
                {
                    FoldAscii(text.Slice(i, ascii), i, table);
                    i += ascii;
                    continue;
                }

                for (var end = i + ascii; i < end; i++)
                {
                    Add(table.Ascii[text[i]], i, i + 1);
                }

                continue;
            }

            if (!char.IsSurrogate(c))
            {
                var single = table.Single(c);
                if (single != FoldTable.Multiple)
                {
                    Add(single, i, i + 1);
                }
                else
                {
                    AddAll(table.Expansion(c), i, i + 1);
                }

                i++;
                continue;
            }

            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            var consumed = pair ? 2 : 1;
            AddAll((pair ? table.Supplementary(char.ConvertToUtf32(c, text[i + 1])) : null) ?? text.Slice(i, consumed), i, i + consumed);
            i += consumed;
        }

        return this;
    }

    /// <summary>An ASCII run: lower-cased (words style) and its separators made spaces, vectorised; then runs of spaces made one.</summary>
    private void FoldAscii(ReadOnlySpan<char> run, int origin, FoldTable table)
    {
        if (_chars.Length - _length < run.Length)
        {
            Grow(_length + run.Length);
        }

        var folded = _chars.AsSpan(_length, run.Length);
        if (table.LowerCase)
        {
            Ascii.ToLower(run, folded, out _);
        }
        else
        {
            run.CopyTo(folded);
        }

        for (var at = folded.IndexOfAny(table.Separators); at >= 0; at = folded.IndexOfAny(table.Separators))
        {
            folded[at] = ' ';
        }

        if (origin != _expected)
        {
            _breaks.Add(new Break(_length, origin, origin + 1));
        }

        // One to one up to the first space that follows a space.
        var same = _length > 0 && _chars[_length - 1] == ' ' && folded[0] == ' ' ? 0 : folded.IndexOf("  ") is var twice and >= 0 ? twice + 1 : run.Length;
        _length += same;
        _expected = origin + same;
        for (var r = same; r < run.Length; r++)
        {
            // Compacts in place: the write position never passes the read position.
            var c = folded[r];
            if (c == ' ' && _chars[_length - 1] == ' ')
            {
                Widen(origin + r + 1);
            }
            else
            {
                if (origin + r != _expected)
                {
                    _breaks.Add(new Break(_length, origin + r, origin + r + 1));
                }

                _chars[_length++] = c;
                _expected = origin + r + 1;
            }
        }
    }

    public void Dispose()
    {
        if (_chars.Length > 64 * 1024)
        {
            // Large texts do not pin their arrays to the thread.
            ArrayPool<char>.Shared.Return(_chars);
            _chars = [];
        }

        t_cached = this;
    }

    /// <summary>The original characters the folded one at <paramref name="index"/> came from.</summary>
    private (int Start, int End) Source(int index)
    {
        // The last break at or before index.
        int low = 0, high = _breaks.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (_breaks[middle].Folded <= index)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        if (found < 0)
        {
            return (index, index + 1);
        }

        var last = _breaks[found];
        if (last.Folded == index)
        {
            return (last.Start, last.End);
        }

        var start = last.End + (index - last.Folded - 1);
        return (start, start + 1);
    }

    private void AddAll(ReadOnlySpan<char> folded, int start, int end)
    {
        foreach (var c in folded)
        {
            Add(c, start, end);
        }
    }

    private void Add(char c, int start, int end)
    {
        if (c == ' ' && _length > 0 && _chars[_length - 1] == ' ')
        {
            Widen(end);
            return;
        }

        if (_length == _chars.Length)
        {
            Grow(_length + 1);
        }

        if (start != _expected || end != start + 1)
        {
            _breaks.Add(new Break(_length, start, end));
        }

        _chars[_length++] = c;
        _expected = end;
    }

    /// <summary>A run of white space is one space: the last one, a space, now reaches to <paramref name="end"/>.</summary>
    private void Widen(int end)
    {
        var last = _length - 1;
        if (_breaks.Count > 0 && _breaks[^1].Folded == last)
        {
            _breaks[^1] = _breaks[^1] with { End = end };
        }
        else
        {
            _breaks.Add(new Break(last, _expected - 1, end));
        }

        _expected = end;
    }

    private void Grow(int count)
    {
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(count, Math.Max(_chars.Length * 2, 256)));
        _chars.AsSpan(0, _length).CopyTo(chars);
        if (_chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_chars);
        }

        _chars = chars;
    }

    private readonly record struct Break(int Folded, int Start, int End);

    /// <summary>What each character folds to, per style; computed once per character, the first time it is seen.</summary>
    private sealed class FoldTable
    {
        /// <summary>In <see cref="Single"/>: the character does not fold to exactly one.</summary>
        public const char Multiple = '\uFFFF';

        private static readonly FoldTable WordTable = new(FoldStyle.Words);
        private static readonly FoldTable NumberTable = new(FoldStyle.Numbers);

        private readonly FoldStyle _style;
        /// <summary>Per BMP character, filled the first time it is seen: '\0' not yet, else what it folds to.</summary>
        private readonly ushort[] _single = new ushort[0x10000];
        private readonly string?[] _expansions = new string?[0x10000];

        private FoldTable(FoldStyle style)
        {
            _style = style;
            for (var c = 0; c < 0x80; c++)
            {
                Ascii[c] = FoldAscii((char)c, style);
            }

            Separators = SearchValues.Create([.. Enumerable.Range(1, 0x7F).Select(c => (char)c).Where(c => c != ' ' && FoldAscii(c, style) == ' ')]);
        }

        /// <summary>What each ASCII character folds to.</summary>
        public char[] Ascii { get; } = new char[0x80];

        public bool LowerCase => _style == FoldStyle.Words;

        /// <summary>The ASCII characters that fold to a space, besides the space.</summary>
        public SearchValues<char> Separators { get; }

        public static FoldTable For(FoldStyle style) => style == FoldStyle.Words ? WordTable : NumberTable;

        /// <summary>The one character <paramref name="c"/> folds to, or <see cref="Multiple"/>: then see <see cref="Expansion"/>.</summary>
        public char Single(char c)
        {
            var single = (char)Volatile.Read(ref _single[c]);
            return single != '\0' ? single : Fill(c);
        }

        /// <summary>What <paramref name="c"/> folds to when it is not one character: none, or several.</summary>
        public string Expansion(char c) => _expansions[c]!;

        private char Fill(char c)
        {
            var folded = Compute(c, _style) ?? c.ToString();
            if (folded.Length == 1 && folded[0] != Multiple)
            {
                Volatile.Write(ref _single[c], (ushort)folded[0]);
                return folded[0];
            }

            // The expansion is in place before the marker says to read it.
            Volatile.Write(ref _expansions[c], folded);
            Volatile.Write(ref _single[c], (ushort)Multiple);
            return Multiple;
        }

        /// <summary>Rare (mathematical letters, emoji, historic scripts): computed each time.</summary>
        public string? Supplementary(int codePoint) => Compute(codePoint, _style);

        private static char FoldAscii(char c, FoldStyle style) =>
            char.IsWhiteSpace(c) ? ' '
            : style == FoldStyle.Words && c is '-' or '_' ? ' '
            : style == FoldStyle.Words ? char.ToLowerInvariant(c)
            : c;

        private static string? Compute(int codePoint, FoldStyle style)
        {
            if (DefaultIgnorable(codePoint))
            {
                return "";
            }

            if (style == FoldStyle.Words && FoldingTables.LooksLike(codePoint) is { } latin)
            {
                return latin.ToString();
            }

            var original = char.ConvertFromUtf32(codePoint);
            var decomposed = FoldingTables.Decompose(codePoint) ?? original;
            var folded = new StringBuilder(decomposed.Length);
            for (var i = 0; i < decomposed.Length; i++)
            {
                var c = decomposed[i];
                var category = char.IsSurrogate(c) ? UnicodeCategory.OtherLetter : CharUnicodeInfo.GetUnicodeCategory(c);
                if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
                {
                    continue;
                }

                if (c < 0x80)
                {
                    folded.Append(FoldAscii(c, style));
                }
                else if (char.IsWhiteSpace(c))
                {
                    folded.Append(' ');
                }
                else if (category == UnicodeCategory.DashPunctuation || c == '\u2212')
                {
                    folded.Append(style == FoldStyle.Words ? ' ' : '-');
                }
                else if (style == FoldStyle.Words)
                {
                    var lower = char.ToLowerInvariant(c);
                    folded.Append(FoldingTables.LooksLike(lower) ?? lower);
                }
                else
                {
                    folded.Append(c);
                }
            }

            var result = folded.ToString();
            return result == original ? null : result;
        }

        /// <summary>Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt): invisible wherever it stands.</summary>
        private static bool DefaultIgnorable(int c) =>
            c is 0x00AD or 0x034F or 0x061C or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or 0x3164 or 0xFEFF or 0xFFA0
            || c is >= 0x180B and <= 0x180F
            || c is >= 0x200B and <= 0x200F
            || c is >= 0x202A and <= 0x202E
            || c is >= 0x2060 and <= 0x206F
            || c is >= 0xFE00 and <= 0xFE0F
            || c is >= 0xFFF0 and <= 0xFFF8
            || c is >= 0x1BCA0 and <= 0x1BCA3
            || c is >= 0x1D173 and <= 0x1D17A
            || c is >= 0xE0000 and <= 0xE0FFF;
    }
}
