using Microsoft.Extensions.Primitives;

namespace Tollgate.Requests;

/// <summary>Parses <c>x-litellm-tags: a,b</c> (also <c>tags</c>): comma separated, trimmed, empties dropped.</summary>
internal static class RequestTags
{
    public const string HeaderName = "x-litellm-tags";
    public const string ShortHeaderName = "tags";

    public static string[] Parse(StringValues litellmTags, StringValues tags)
    {
        if (litellmTags.Count == 0 && tags.Count == 0)
        {
            return [];
        }

        var result = new List<string>();
        Add(litellmTags, result);
        Add(tags, result);
        return result.ToArray();
    }

    private static void Add(StringValues values, List<string> result)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!result.Contains(part))
                {
                    result.Add(part);
                }
            }
        }
    }
}
