using System.Text.RegularExpressions;

namespace Tollgate.Metering.Pricing;

/// <summary>
/// The names a price can be listed under for a model name as a provider reports it, most specific first.
/// Each step works on the previous one's result and adds a name only when it changes something:
/// <list type="number">
/// <item>the name as given (trimmed; <c>%2F</c>-style escapes decoded);</item>
/// <item>without a path or provider prefix: everything up to the last <c>/</c> (<c>models/gemini-2.0-flash</c>,
/// <c>openai/gpt-4o</c>, <c>publishers/google/models/…</c>, a Bedrock ARN
/// <c>arn:aws:bedrock:…:inference-profile/us.anthropic.…</c>) and a trailing Gemini/Vertex method
/// (<c>:generateContent</c>, <c>:streamRawPredict</c>);</item>
/// <item>without a Vertex <c>@version</c> (<c>claude-sonnet-4@20250514</c> → <c>claude-sonnet-4</c>);</item>
/// <item>without a Bedrock cross-region inference-profile prefix (<c>us.</c>, <c>eu.</c>, <c>apac.</c>,
/// <c>au.</c>, <c>jp.</c>, <c>ca.</c>, <c>us-gov.</c>, <c>global.</c>);</item>
/// <item>without a Bedrock <c>:N</c> version (<c>anthropic.claude-opus-4-6-v1:0</c> → <c>…-v1</c>);</item>
/// <item>without a dated snapshot suffix (<c>gpt-4o-2024-08-06</c> → <c>gpt-4o</c>,
/// <c>claude-sonnet-4-5-20250929</c> → <c>claude-sonnet-4-5</c>).</item>
/// </list>
/// </summary>
internal static partial class ModelNames
{
    private static readonly string[] BedrockRegionPrefixes = ["us.", "eu.", "apac.", "au.", "jp.", "ca.", "us-gov.", "global."];

    public static IReadOnlyList<string> Candidates(string model)
    {
        var candidates = new List<string>(6);
        var name = model.Trim();
        if (name.Contains('%', StringComparison.Ordinal))
        {
            name = Uri.UnescapeDataString(name);
        }

        if (name.Length == 0)
        {
            return candidates;
        }

        candidates.Add(name);
        name = Add(candidates, WithoutPathAndMethod(name));
        name = Add(candidates, WithoutVertexVersion(name));
        name = Add(candidates, WithoutRegionPrefix(name));
        name = Add(candidates, BedrockVersion().Replace(name, ""));
        Add(candidates, DatedSnapshot().Replace(name, ""));
        return candidates;
    }

    private static string Add(List<string> candidates, string name)
    {
        if (name.Length > 0 && !candidates.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            candidates.Add(name);
        }

        return name.Length > 0 ? name : candidates[^1];
    }

    private static string WithoutPathAndMethod(string name)
    {
        var slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }

        return VertexMethod().Replace(name, "");
    }

    private static string WithoutVertexVersion(string name)
    {
        var at = name.IndexOf('@', StringComparison.Ordinal);
        return at > 0 ? name[..at] : name;
    }

    private static string WithoutRegionPrefix(string name)
    {
        foreach (var prefix in BedrockRegionPrefixes)
        {
            // Only "<region>.<vendor>.<model>": a bare "us.something" is left alone.
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && name.AsSpan(prefix.Length).Contains('.'))
            {
                return name[prefix.Length..];
            }
        }

        return name;
    }

    /// <summary>A trailing method such as <c>:generateContent</c>: letters only, so Bedrock's <c>-v1:0</c> stays.</summary>
    [GeneratedRegex(@":[A-Za-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex VertexMethod();

    [GeneratedRegex(@"(?<=-v\d+):\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex BedrockVersion();

    /// <summary><c>-2024-08-06</c> (OpenAI) or <c>-20250929</c> (Anthropic) at the end of the name.</summary>
    [GeneratedRegex(@"-(\d{4}-\d{2}-\d{2}|20\d{6})$", RegexOptions.CultureInvariant)]
    private static partial Regex DatedSnapshot();
}
