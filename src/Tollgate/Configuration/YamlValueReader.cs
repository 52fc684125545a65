using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Tollgate.Configuration;

/// <summary>
/// Reads typed values out of a YAML tree, resolving <c>os.environ/NAME</c> references and
/// collecting every problem (with its dotted path) instead of stopping at the first.
/// </summary>
internal sealed partial class YamlValueReader(Func<string, string?> environment, List<string> errors)
{
    public List<string> Errors { get; } = errors;

    public static YamlNode? Child(YamlMappingNode? map, string key)
    {
        if (map is null)
        {
            return null;
        }

        return map.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;
    }

    public YamlMappingNode? Mapping(YamlNode? node, string path)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlMappingNode map:
                return map;
            default:
                Errors.Add($"{path}: expected a mapping of keys to values");
                return null;
        }
    }

    public string? String(YamlNode? node, string path)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode scalar:
                return ResolveEnvironment(scalar.Value ?? "", path);
            default:
                Errors.Add($"{path}: expected a single value, not a list or mapping");
                return null;
        }
    }

    public bool Bool(YamlNode? node, string path, bool fallback)
    {
        var text = String(node, path);
        if (text is null)
        {
            return fallback;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Errors.Add($"{path}: expected true or false, got '{text}'");
        return fallback;
    }

    public double? PositiveNumber(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value))
        {
            return value;
        }

        Errors.Add($"{path}: expected a positive number, got '{text}'");
        return null;
    }

    public decimal? NonNegativeDecimal(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            return value;
        }

        Errors.Add($"{path}: expected a number of US dollars (0 or more), got '{text}'");
        return null;
    }

    public IReadOnlyList<string> StringList(YamlNode? node, string path)
    {
        switch (node)
        {
            case null:
                return [];
            case YamlSequenceNode sequence:
                var list = new List<string>(sequence.Children.Count);
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = String(sequence.Children[i], $"{path}[{i}]");
                    if (item is not null)
                    {
                        list.Add(item);
                    }
                }

                return list;
            default:
                Errors.Add($"{path}: expected a list");
                return [];
        }
    }

    public IReadOnlyDictionary<string, string> StringMap(YamlNode? node, string path)
    {
        var map = Mapping(node, path);
        if (map is null)
        {
            return new Dictionary<string, string>();
        }

        var result = new Dictionary<string, string>(map.Children.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, valueNode) in Entries(map, path))
        {
            var value = String(valueNode, $"{path}.{key}");
            if (value is not null)
            {
                result[key] = value;
            }
        }

        return result;
    }

    /// <summary>The mapping's entries; a key that is a list or mapping is reported and skipped.</summary>
    public IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode? map, string path = "")
    {
        if (map is null)
        {
            yield break;
        }

        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } key })
            {
                yield return (key, valueNode);
            }
            else
            {
                Errors.Add($"{(path.Length == 0 ? "(top level)" : path)}: keys must be plain names, not lists or mappings (line {keyNode.Start.Line})");
            }
        }
    }

    /// <summary>Replaces every <c>os.environ/NAME</c> in a value (whole or embedded, as in "Bearer os.environ/KEY").</summary>
    private string? ResolveEnvironment(string value, string path)
    {
        if (!value.Contains("os.environ/", StringComparison.Ordinal))
        {
            return value;
        }

        var missing = false;
        var resolved = EnvironmentReference().Replace(value, match =>
        {
            var name = match.Groups[1].Value;
            var found = environment(name);
            if (found is null)
            {
                Errors.Add($"{path}: environment variable {name} is not set");
                missing = true;
                return "";
            }

            return found;
        });
        return missing ? null : resolved;
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    [GeneratedRegex(@"os\.environ/([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentReference();
}
