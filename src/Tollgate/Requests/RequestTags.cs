using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Tollgate.Requests;

/// <summary>
/// Parses <c>x-litellm-tags: a,b</c> (also <c>tags</c>): comma separated, trimmed, empties and repeats dropped,
/// at most <see cref="MaxCount"/> tags of <see cref="MaxLength"/> characters, since each lands in the spend row.
/// </summary>
internal static class RequestTags
{
    public const string HeaderName = "x-litellm-tags";
    public const string ShortHeaderName = "tags";
    public const int MaxCount = 64;
    public const int MaxLength = 256;

    /// <returns>False, with <paramref name="problem"/> naming the limit (never a tag), when the tags exceed one.</returns>
    public static bool TryParse(StringValues litellmTags, StringValues tags, out string[] result, out string? problem)
    {
        result = [];
        problem = null;
        if (litellmTags.Count == 0 && tags.Count == 0)
        {
            return true;
        }

        var parsed = new List<string>();
        if (!TryAdd(litellmTags, parsed, out problem) || !TryAdd(tags, parsed, out problem))
        {
            return false;
        }

        result = [.. parsed];
        return true;
    }

    private static bool TryAdd(StringValues values, List<string> result, out string? problem)
    {
        problem = null;
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.Length > MaxLength)
                {
                    problem = string.Create(CultureInfo.InvariantCulture,
                        $"{HeaderName}: a tag may be at most {MaxLength} characters long (one has {part.Length}).");
                    return false;
                }

                if (result.Contains(part))
                {
                    continue;
                }

                if (result.Count == MaxCount)
                {
                    problem = $"{HeaderName}: a request may carry at most {MaxCount} tags.";
                    return false;
                }

                result.Add(part);
            }
        }

        return true;
    }
}
