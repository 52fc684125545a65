using System.Globalization;

namespace Tollgate.Keys;

/// <summary>LiteLLM's duration strings: a whole number and a unit, <c>30s</c>, <c>15m</c>, <c>1h</c>, <c>1d</c>, <c>2w</c>, <c>1mo</c> (30 days).</summary>
internal static class Duration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count == 0)
        {
            return false;
        }

        TimeSpan? unit = text[digits..] switch
        {
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            "d" => TimeSpan.FromDays(1),
            "w" => TimeSpan.FromDays(7),
            "mo" => TimeSpan.FromDays(30),
            _ => null,
        };
        if (unit is not { } size || count > TimeSpan.MaxValue.Ticks / size.Ticks / 2)
        {
            return false;
        }

        duration = size * count;
        return true;
    }
}
