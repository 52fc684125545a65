namespace Tollgate.Guardrails;

/// <summary>
/// The built-in PII and secret detectors, hand-written so each is one linear pass with no regex engine
/// (no pattern here can be made to backtrack) and can check what a pattern cannot: Luhn for cards,
/// mod-97 for IBANs, the SSA's rules for SSNs. Each method adds its matches to <c>into</c>, or with
/// <c>into: null</c> returns at the first one.
/// </summary>
internal static class PiiScanner
{
    public const string EmailCategory = "email";
    public const string PhoneCategory = "phone";
    public const string CardCategory = "card";
    public const string IbanCategory = "iban";
    public const string SsnCategory = "ssn";
    public const string SecretCategory = "secret";

    public const string EmailMask = "[EMAIL]";
    public const string PhoneMask = "[PHONE]";
    public const string CardMask = "[CARD]";
    public const string IbanMask = "[IBAN]";
    public const string SsnMask = "[SSN]";
    public const string SecretMask = "[SECRET]";

    private const int MaxPhoneGroups = 8;

    private const string CardSeparators = " -./";

    /// <summary>
    /// <c>local@domain.tld</c>: the local part of letters, digits and <c>._%+-</c> (or quoted), a domain of at least
    /// two labels whose last is two or more letters or an IDN's <c>xn--</c> form. Found from each <c>@</c> outwards.
    /// </summary>
    public static bool Emails(ReadOnlySpan<char> text, List<TextMatch>? into)
    {
        var found = false;
        var from = 0;
        while (from < text.Length)
        {
            var at = text[from..].IndexOf('@');
            if (at < 0)
            {
                break;
            }

            at += from;
            var start = at;
            if (at > 0 && text[at - 1] == '"')
            {
                // A quoted local part (RFC 5321): "john doe"@example.com.
                var open = text[..(at - 1)].LastIndexOf('"');
                start = open >= 0 && at - 1 - open <= 64 && !text[open..at].ContainsAny('\r', '\n') ? open : at;
            }
            else
            {
                while (start > 0 && IsLocalChar(text[start - 1]))
                {
                    start--;
                }

                while (start < at && text[start] == '.')
                {
                    start++;
                }
            }

            var end = at + 1;
            while (end < text.Length && IsDomainChar(text[end]))
            {
                end++;
            }

            // A sentence's full stop or a dash after the address is not part of it.
            while (end > at + 1 && text[end - 1] is '.' or '-')
            {
                end--;
            }

            if (start < at && at - start <= 66 && text[at - 1] != '.' && IsDomain(text[(at + 1)..end]))
            {
                found = true;
                if (into is null)
                {
                    return true;
                }

                into.Add(new TextMatch(start, end - start, EmailCategory, EmailMask));
                from = end;
            }
            else
            {
                from = at + 1;
            }
        }

        return found;
    }

    /// <summary>
    /// International numbers written with a leading <c>+</c> (8 to 15 digits, E.164, in any grouping of
    /// spaces, dashes, dots and one parenthesised group), and US numbers written in groups:
    /// <c>(415) 555-2671</c>, <c>415-555-2671</c>, <c>415.555.2671</c>, <c>1 415 555 2671</c>, with an area
    /// code and exchange that start with 2–9. A run of digits without separators is not a phone number
    /// (it may be an order number or a card); nor is a group pattern like a card's 4-4-4-4.
    /// </summary>
    public static bool Phones(ReadOnlySpan<char> text, List<TextMatch>? into)
    {
        var found = false;
        Span<int> groups = stackalloc int[MaxPhoneGroups];
        var i = 0;
        while (i < text.Length)
        {
            // Vectorised skip over prose to the next character a number can start with.
            var next = text[i..].IndexOfAny(PhoneStarts);
            if (next < 0)
            {
                break;
            }

            i += next;
            if (!PhoneCanStart(text, i))
            {
                i++;
                continue;
            }

            var end = ParsePhone(text, i, groups, out var count, out var parenGroup, out var runEnd);
            if (end > 0 && IsPhone(text, i, groups[..count], parenGroup) && !IsWordChar(text, end))
            {
                found = true;
                if (into is null)
                {
                    return true;
                }

                into.Add(new TextMatch(i, end - i, PhoneCategory, PhoneMask));
                i = end;
                continue;
            }

            i = Math.Max(i + 1, runEnd);
        }

        return found;
    }

    /// <summary>
    /// Payment cards: 13 to 19 digits, optionally grouped by single spaces, dashes, dots or slashes, starting with 2–6
    /// (the card networks' ranges; so millisecond timestamps and most ids are not cards), Luhn-valid, and
    /// not glued to a letter or another digit. Within a longer run of groups each group start is tried.
    /// </summary>
    public static bool Cards(ReadOnlySpan<char> text, List<TextMatch>? into)
    {
        var found = false;
        var i = 0;
        while (i < text.Length)
        {
            var next = text[i..].IndexOfAnyInRange('0', '9');
            if (next < 0)
            {
                break;
            }

            i += next;
            if (!NumberCanStart(text, i))
            {
                i++;
                continue;
            }

            // i starts a run of digit groups; try each group start in it.
            var start = i;
            while (true)
            {
                var best = -1;
                var digits = 0;
                var pos = start;
                while (pos < text.Length)
                {
                    while (pos < text.Length && char.IsAsciiDigit(text[pos]) && digits <= 19)
                    {
                        digits++;
                        pos++;
                    }

                    if (digits > 19)
                    {
                        break;
                    }

                    if (digits >= 13 && text[start] is >= '2' and <= '6' && !IsWordChar(text, pos) && Luhn(text[start..pos]))
                    {
                        best = pos;
                    }

                    if (!IsGroupSeparator(text, pos, CardSeparators))
                    {
                        break;
                    }

                    pos++;
                }

                if (best > 0)
                {
                    found = true;
                    if (into is null)
                    {
                        return true;
                    }

                    into.Add(new TextMatch(start, best - start, CardCategory, CardMask));
                    if (!IsGroupSeparator(text, best, CardSeparators))
                    {
                        i = best;
                        break;
                    }

                    start = best + 1;
                    continue;
                }

                // Next group of the run, or the run is over.
                var groupEnd = start;
                while (groupEnd < text.Length && char.IsAsciiDigit(text[groupEnd]))
                {
                    groupEnd++;
                }

                if (!IsGroupSeparator(text, groupEnd, CardSeparators))
                {
                    i = groupEnd;
                    break;
                }

                start = groupEnd + 1;
            }
        }

        return found;
    }

    /// <summary>
    /// IBANs: a two-letter country code, two check digits and 11 to 30 letters or digits (15 to 34 in all),
    /// written solid or in groups of four separated by single spaces, whose ISO 13616 mod-97 check is 1.
    /// </summary>
    public static bool Ibans(ReadOnlySpan<char> text, List<TextMatch>? into)
    {
        var found = false;
        Span<int> groupEnds = stackalloc int[9];
        var i = 0;
        while (i + 4 <= text.Length)
        {
            var next = text[i..].IndexOfAnyInRange('A', 'Z');
            if (next < 0 || i + next + 4 > text.Length)
            {
                break;
            }

            i += next;
            if (!(char.IsAsciiLetterUpper(text[i]) && char.IsAsciiLetterUpper(text[i + 1])
                  && char.IsAsciiDigit(text[i + 2]) && char.IsAsciiDigit(text[i + 3])
                  && (i == 0 || !char.IsLetterOrDigit(text[i - 1]))))
            {
                i++;
                continue;
            }

            var matchEnd = -1;
            var resume = i + 4;
            if (i + 4 < text.Length && char.IsAsciiLetterOrDigit(text[i + 4]))
            {
                var end = i + 4;
                while (end < text.Length && char.IsAsciiLetterOrDigit(text[end]))
                {
                    end++;
                }

                if (end - i is >= 15 and <= 34 && !IsWordChar(text, end) && Mod97IsOne(text[i..end]))
                {
                    matchEnd = end;
                }

                resume = end;
            }
            else if (i + 5 < text.Length && text[i + 4] == ' ' && char.IsAsciiLetterOrDigit(text[i + 5]))
            {
                var count = 0;
                groupEnds[count++] = i + 4;
                var pos = i + 4;
                while (count < groupEnds.Length && pos + 1 < text.Length && text[pos] == ' ' && char.IsAsciiLetterOrDigit(text[pos + 1]))
                {
                    var groupStart = pos + 1;
                    var end = groupStart;
                    while (end < text.Length && char.IsAsciiLetterOrDigit(text[end]))
                    {
                        end++;
                    }

                    var length = end - groupStart;
                    if (length > 4)
                    {
                        break;
                    }

                    groupEnds[count++] = end;
                    pos = end;
                    if (length < 4)
                    {
                        break;
                    }
                }

                // The longest grouping that checks out: a short last group may belong to the text after it.
                for (var k = count - 1; k >= 1 && matchEnd < 0; k--)
                {
                    var candidate = text[i..groupEnds[k]];
                    var characters = candidate.Length - k;
                    if (characters is >= 15 and <= 34 && Mod97IsOne(candidate))
                    {
                        matchEnd = groupEnds[k];
                    }
                }

                resume = groupEnds[count - 1];
            }

            if (matchEnd > 0)
            {
                found = true;
                if (into is null)
                {
                    return true;
                }

                into.Add(new TextMatch(i, matchEnd - i, IbanCategory, IbanMask));
                resume = matchEnd;
            }

            i = resume;
        }

        return found;
    }

    /// <summary>
    /// US Social Security numbers written <c>AAA-GG-SSSS</c> (or with spaces): area not 000, 666 or 900–999,
    /// group not 00, serial not 0000. Nine digits without separators are not taken for one.
    /// </summary>
    public static bool Ssns(ReadOnlySpan<char> text, List<TextMatch>? into)
    {
        var found = false;
        for (var i = 0; i + 11 <= text.Length; i++)
        {
            var next = text[i..].IndexOfAnyInRange('0', '9');
            if (next < 0)
            {
                break;
            }

            i += next;
            if (i + 11 > text.Length || !NumberCanStart(text, i))
            {
                continue;
            }

            var candidate = text.Slice(i, 11);
            var separator = candidate[3];
            if (separator is not ('-' or ' ') || candidate[6] != separator
                || !AllDigits(candidate[..3]) || !AllDigits(candidate[4..6]) || !AllDigits(candidate[7..]))
            {
                continue;
            }

            var end = i + 11;
            if (IsWordChar(text, end) || IsGroupSeparator(text, end, "-. /"))
            {
                continue;
            }

            var area = candidate[..3];
            if (area is "000" or "666" || area[0] == '9' || candidate[4..6] is "00" || candidate[7..] is "0000")
            {
                continue;
            }

            found = true;
            if (into is null)
            {
                return true;
            }

            into.Add(new TextMatch(i, 11, SsnCategory, SsnMask));
            i = end - 1;
        }

        return found;
    }

    /// <summary>
    /// Provider credentials: <c>sk-…</c> API keys (OpenAI, Anthropic <c>sk-ant-…</c>, and Tollgate's own
    /// virtual keys; 20+ characters after the prefix, at least one a digit), AWS access key ids
    /// (<c>AKIA</c>/<c>ASIA</c> + 16), Google API keys (<c>AIza</c> + 35), and PEM private-key blocks
    /// (to the END line, or to the end of the text when it is cut).
    /// </summary>
    public static bool Secrets(ReadOnlySpan<char> text, List<TextMatch>? into)
    {
        var found = false;
        found |= PrefixedTokens(text, "sk-", 20, 512, requireDigit: true, dashAllowed: true, into);
        if (found && into is null)
        {
            return true;
        }

        found |= PrefixedTokens(text, "AKIA", 16, 16, requireDigit: false, dashAllowed: false, into, upperOnly: true);
        found |= PrefixedTokens(text, "ASIA", 16, 16, requireDigit: false, dashAllowed: false, into, upperOnly: true);
        if (found && into is null)
        {
            return true;
        }

        found |= PrefixedTokens(text, "AIza", 35, 35, requireDigit: false, dashAllowed: true, into);
        if (found && into is null)
        {
            return true;
        }

        return PrivateKeys(text, into) || found;
    }

    private static bool PrefixedTokens(
        ReadOnlySpan<char> text, string prefix, int minLength, int maxLength, bool requireDigit, bool dashAllowed, List<TextMatch>? into, bool upperOnly = false)
    {
        var found = false;
        var from = 0;
        while (from < text.Length)
        {
            var index = text[from..].IndexOf(prefix, StringComparison.Ordinal);
            if (index < 0)
            {
                break;
            }

            index += from;
            var end = index + prefix.Length;
            while (end < text.Length && IsTokenChar(text[end], dashAllowed, upperOnly))
            {
                end++;
            }

            var length = end - index - prefix.Length;
            var body = text[(index + prefix.Length)..end];
            if ((index == 0 || !IsWordChar(text[index - 1]))
                && length >= minLength && length <= maxLength
                && (!requireDigit || body.ContainsAnyInRange('0', '9'))
                // A fixed-length id must end where the token ends.
                && (minLength != maxLength || end == text.Length || !IsTokenChar(text[end], dashAllowed: true, upperOnly: false)))
            {
                found = true;
                if (into is null)
                {
                    return true;
                }

                into.Add(new TextMatch(index, end - index, SecretCategory, SecretMask));
                from = end;
            }
            else
            {
                // Skip the whole token: a prefix inside it is not a key of its own, and rescanning it would be quadratic.
                from = Math.Max(end, index + prefix.Length);
            }
        }

        return found;
    }

    private static bool PrivateKeys(ReadOnlySpan<char> text, List<TextMatch>? into)
    {
        const string Begin = "-----BEGIN ";
        const string Tail = "PRIVATE KEY-----";
        var found = false;
        var from = 0;
        while (from < text.Length)
        {
            var index = text[from..].IndexOf(Begin, StringComparison.Ordinal);
            if (index < 0)
            {
                break;
            }

            index += from;
            var label = index + Begin.Length;
            var labelEnd = label;
            while (labelEnd < text.Length && labelEnd - label <= 40 && (char.IsAsciiLetterUpper(text[labelEnd]) || char.IsAsciiDigit(text[labelEnd]) || text[labelEnd] == ' '))
            {
                labelEnd++;
            }

            // "RSA PRIVATE KEY-----": the label ran on into "PRIVATE KEY", so look for the tail within it.
            var tailAt = text[label..Math.Min(text.Length, labelEnd + Tail.Length)].IndexOf(Tail, StringComparison.Ordinal);
            if (tailAt < 0)
            {
                from = label;
                continue;
            }

            var bodyStart = label + tailAt + Tail.Length;
            var end = text.Length;
            var endMarker = text[bodyStart..].IndexOf("-----END ", StringComparison.Ordinal);
            if (endMarker >= 0)
            {
                var close = text[(bodyStart + endMarker)..].IndexOf(Tail, StringComparison.Ordinal);
                if (close >= 0)
                {
                    end = bodyStart + endMarker + close + Tail.Length;
                }
            }

            found = true;
            if (into is null)
            {
                return true;
            }

            into.Add(new TextMatch(index, end - index, SecretCategory, SecretMask));
            from = end;
        }

        return found;
    }

    /// <returns>The end of the number (after its last digit), or -1 when the run is not a well-formed group sequence.</returns>
    private static int ParsePhone(ReadOnlySpan<char> text, int start, Span<int> groups, out int count, out int parenGroup, out int runEnd)
    {
        count = 0;
        parenGroup = -1;
        var pos = start;
        if (text[pos] == '+')
        {
            pos++;
        }

        while (true)
        {
            var paren = pos < text.Length && text[pos] == '(';
            if (paren)
            {
                pos++;
            }

            var digitsStart = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                pos++;
            }

            if (pos == digitsStart || count == groups.Length || (paren && parenGroup >= 0))
            {
                runEnd = pos;
                return -1;
            }

            groups[count] = pos - digitsStart;
            if (paren)
            {
                parenGroup = count;
                if (pos >= text.Length || text[pos] != ')')
                {
                    runEnd = pos;
                    return -1;
                }

                pos++;
            }

            count++;
            if (pos + 1 < text.Length && text[pos] is ' ' or '-' or '.' && (char.IsAsciiDigit(text[pos + 1]) || text[pos + 1] == '('))
            {
                pos++;
                continue;
            }

            if (paren && pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                continue;
            }

            runEnd = pos;
            return pos;
        }
    }

    private static bool IsPhone(ReadOnlySpan<char> text, int start, ReadOnlySpan<int> groups, int parenGroup)
    {
        var digits = 0;
        foreach (var group in groups)
        {
            digits += group;
        }

        if (text[start] == '+')
        {
            return digits is >= 8 and <= 15;
        }

        // US: [1] NXX NXX XXXX, the area code optionally in parentheses.
        int area;
        if (groups is [3, 3, 4])
        {
            area = 0;
        }
        else if (groups is [1, 3, 3, 4] && FirstDigit(text, start) == '1')
        {
            area = 1;
        }
        else
        {
            return false;
        }

        if (parenGroup >= 0 && parenGroup != area)
        {
            return false;
        }

        // The area code's and the exchange's first digits: the digit after the groups before them.
        var areaFirst = NthDigit(text, start, area == 0 ? 0 : 1);
        var exchangeFirst = NthDigit(text, start, area == 0 ? 3 : 4);
        return areaFirst is >= '2' and <= '9' && exchangeFirst is >= '2' and <= '9';
    }

    private static char FirstDigit(ReadOnlySpan<char> text, int start) => NthDigit(text, start, 0);

    private static char NthDigit(ReadOnlySpan<char> text, int start, int n)
    {
        for (var i = start; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i]) && n-- == 0)
            {
                return text[i];
            }
        }

        return '\0';
    }

    /// <summary>A phone number starts at a word boundary, not inside a longer number ("12-415-555-2671").</summary>
    private static bool PhoneCanStart(ReadOnlySpan<char> text, int i)
    {
        if (i == 0)
        {
            return true;
        }

        var previous = text[i - 1];
        if (IsWordChar(previous) || (previous == '+' && text[i] != '+'))
        {
            return false;
        }

        return !(previous is '-' or '.' or '/' or '+' or ' ' && i >= 2 && char.IsAsciiDigit(text[i - 2]) && text[i] != '+' && text[i] != '(');
    }

    /// <summary>A card or SSN starts at a word boundary, not after '+' (a phone number) or inside a longer number.</summary>
    private static bool NumberCanStart(ReadOnlySpan<char> text, int i)
    {
        if (i == 0)
        {
            return true;
        }

        var previous = text[i - 1];
        return !IsWordChar(previous) && previous != '+'
            && !(previous is '-' or '.' or '/' or ' ' or ',' && i >= 2 && char.IsAsciiDigit(text[i - 2]));
    }

    private static bool Luhn(ReadOnlySpan<char> digitsAndSeparators)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digitsAndSeparators.Length - 1; i >= 0; i--)
        {
            var c = digitsAndSeparators[i];
            if (!char.IsAsciiDigit(c))
            {
                continue;
            }

            var digit = c - '0';
            if (doubleIt)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    /// <summary>ISO 13616: move the first four characters to the end, letters to 10–35, the number mod 97 must be 1.</summary>
    private static bool Mod97IsOne(ReadOnlySpan<char> iban)
    {
        var remainder = 0;
        var seen = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            seen = 0;
            foreach (var c in iban)
            {
                if (c == ' ')
                {
                    continue;
                }

                var inHead = seen < 4;
                seen++;
                if (inHead != (pass == 1))
                {
                    continue;
                }

                if (char.IsAsciiDigit(c))
                {
                    remainder = ((remainder * 10) + (c - '0')) % 97;
                }
                else if (char.IsAsciiLetter(c))
                {
                    remainder = ((remainder * 100) + (char.ToUpperInvariant(c) - 'A' + 10)) % 97;
                }
                else
                {
                    return false;
                }
            }
        }

        return seen >= 15 && remainder == 1;
    }

    private static bool AllDigits(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');

    /// <summary>True when <paramref name="index"/> holds one of <paramref name="separators"/> with a digit after it.</summary>
    private static bool IsGroupSeparator(ReadOnlySpan<char> text, int index, string separators) =>
        index + 1 < text.Length && separators.Contains(text[index], StringComparison.Ordinal) && char.IsAsciiDigit(text[index + 1]);

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool IsWordChar(ReadOnlySpan<char> text, int index) => index < text.Length && IsWordChar(text[index]);

    private static bool IsLocalChar(char c) => char.IsLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    private static bool IsDomainChar(char c) => char.IsLetterOrDigit(c) || c is '.' or '-';

    private static bool IsTokenChar(char c, bool dashAllowed, bool upperOnly) =>
        upperOnly ? char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) : char.IsAsciiLetterOrDigit(c) || c == '_' || (dashAllowed && c == '-');

    private static bool IsDomain(ReadOnlySpan<char> domain)
    {
        if (domain.Length is < 4 or > 253)
        {
            return false;
        }

        var labels = 0;
        var rest = domain;
        while (true)
        {
            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            labels++;
            if (dot < 0)
            {
                // The top-level domain: two or more letters (of any script: .рф), or an IDN's ASCII form (xn--p1ai).
                return labels >= 2 && label.Length >= 2 && (IsLetters(label) || IsPunycode(label));
            }

            rest = rest[(dot + 1)..];
        }
    }

    private static readonly System.Buffers.SearchValues<char> PhoneStarts = System.Buffers.SearchValues.Create("+(0123456789");

    private static bool IsLetters(ReadOnlySpan<char> label)
    {
        foreach (var c in label)
        {
            if (!char.IsLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPunycode(ReadOnlySpan<char> label) =>
        label.Length > 4 && label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase) && !label[4..].ContainsAnyExcept(PunycodeSearch);

    private static readonly System.Buffers.SearchValues<char> PunycodeSearch =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
}
