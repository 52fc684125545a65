using Tollgate.Guardrails;
using YamlDotNet.RepresentationModel;

namespace Tollgate.Configuration;

/// <summary>
/// The <c>guardrails:</c> section and the <c>guardrails:</c> references of providers and custom endpoints
/// (contract section 7). Every setting is checked against the guardrail's kind, patterns are compiled,
/// and a reference to a name the section does not define is an error.
/// </summary>
internal static class GuardrailConfigReader
{
    private const string Section = "guardrails";
    private const int MaxTimeoutMs = 60_000;

    private static readonly HashSet<string> Fields =
        ["name", "kind", "mode", "action", "keywords", "patterns", "entities", "url", "headers", "timeout_ms", "on_error", "on_unknown_shape"];

    private static readonly HashSet<string> AttachmentFields = ["request_fields", "fields", "response_fields"];

    /// <summary>
    /// Every name the section gives and its mode, even of an entry with other problems, so a reference to it
    /// is not reported as unknown on top of the entry's own error.
    /// </summary>
    public static Dictionary<string, GuardrailMode> RawModes(YamlNode? node)
    {
        var modes = new Dictionary<string, GuardrailMode>(StringComparer.Ordinal);
        if (node is YamlSequenceNode sequence)
        {
            foreach (var entry in sequence.Children.OfType<YamlMappingNode>())
            {
                if (YamlValueReader.Child(entry, "name") is YamlScalarNode { Value: { } name })
                {
                    modes[name] = YamlValueReader.Child(entry, "mode") is YamlScalarNode { Value: { } mode }
                        && string.Equals(mode, "post_call", StringComparison.OrdinalIgnoreCase)
                            ? GuardrailMode.PostCall
                            : GuardrailMode.PreCall;
                }
            }
        }

        return modes;
    }

    public static List<GuardrailConfig> Read(YamlValueReader reader, YamlNode? node)
    {
        var result = new List<GuardrailConfig>();
        if (node is null)
        {
            return result;
        }

        if (node is not YamlSequenceNode sequence)
        {
            reader.Errors.Add($"{Section}: expected a list of guardrails");
            return result;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"{Section}[{i}]";
            var map = reader.Mapping(sequence.Children[i], path);
            if (map is null)
            {
                continue;
            }

            if (YamlValueReader.Child(map, "guardrail_name") is not null || YamlValueReader.Child(map, "litellm_params") is not null)
            {
                reader.Errors.Add($"{path}: LiteLLM's guardrail_name/litellm_params form configures a guardrail service Tollgate does not run; "
                    + "write name and kind (keywords, regex, pii or webhook) instead");
                continue;
            }

            var errorsBefore = reader.Errors.Count;
            foreach (var (field, _) in reader.Entries(map, path))
            {
                if (!Fields.Contains(field))
                {
                    reader.Errors.Add($"{path}.{field}: unknown setting (known: {string.Join(", ", Fields)})");
                }
            }

            var name = reader.String(YamlValueReader.Child(map, "name"), path + ".name");
            if (name is null)
            {
                reader.Errors.Add($"{path}.name: required");
            }
            else if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '\'' or '"'))
            {
                reader.Errors.Add($"{path}.name: '{name}' must be a non-empty name without spaces or quotes");
            }
            else if (!names.Add(name))
            {
                reader.Errors.Add($"{path}.name: '{name}' is configured more than once");
            }

            var kind = Enum<GuardrailKind>(reader, map, "kind", path, null, ("keywords", GuardrailKind.Keywords),
                ("regex", GuardrailKind.Regex), ("pii", GuardrailKind.Pii), ("webhook", GuardrailKind.Webhook));
            if (kind is null)
            {
                if (YamlValueReader.Child(map, "kind") is null)
                {
                    reader.Errors.Add($"{path}.kind: required (keywords, regex, pii or webhook)");
                }

                continue;
            }

            var mode = Enum(reader, map, "mode", path, GuardrailMode.PreCall, ("pre_call", GuardrailMode.PreCall), ("post_call", GuardrailMode.PostCall));

            var action = Enum(reader, map, "action", path, GuardrailAction.Block, ("block", GuardrailAction.Block), ("mask", GuardrailAction.Mask));
            var keywords = reader.StringList(YamlValueReader.Child(map, "keywords"), path + ".keywords");
            var patterns = reader.StringList(YamlValueReader.Child(map, "patterns"), path + ".patterns");
            var entities = ReadEntities(reader, YamlValueReader.Child(map, "entities"), path + ".entities");
            var url = reader.String(YamlValueReader.Child(map, "url"), path + ".url");
            var headers = reader.StringMap(YamlValueReader.Child(map, "headers"), path + ".headers");
            var timeoutMs = ReadTimeout(reader, YamlValueReader.Child(map, "timeout_ms"), path + ".timeout_ms");
            var onError = Enum(reader, map, "on_error", path, GuardrailOnError.FailClosed,
                ("fail_closed", GuardrailOnError.FailClosed), ("fail_open", GuardrailOnError.FailOpen));
            var onUnknownShape = Enum(reader, map, "on_unknown_shape", path, GuardrailUnknownShape.Refuse,
                ("refuse", GuardrailUnknownShape.Refuse), ("forward", GuardrailUnknownShape.Forward));

            OnlyFor(reader, map, path, "keywords", kind.Value, GuardrailKind.Keywords);
            OnlyFor(reader, map, path, "patterns", kind.Value, GuardrailKind.Regex);
            OnlyFor(reader, map, path, "entities", kind.Value, GuardrailKind.Pii);
            OnlyFor(reader, map, path, "url", kind.Value, GuardrailKind.Webhook);
            OnlyFor(reader, map, path, "headers", kind.Value, GuardrailKind.Webhook);
            OnlyFor(reader, map, path, "timeout_ms", kind.Value, GuardrailKind.Webhook, GuardrailKind.Regex, GuardrailKind.Keywords);
            OnlyFor(reader, map, path, "on_error", kind.Value, GuardrailKind.Webhook, GuardrailKind.Regex, GuardrailKind.Keywords);
            if (kind == GuardrailKind.Webhook && YamlValueReader.Child(map, "action") is not null)
            {
                reader.Errors.Add($"{path}.action: not for kind webhook: the webhook's answer (allow, block or mask) is the action");
            }

            var timeout = TimeSpan.FromMilliseconds(timeoutMs ?? 100);
            Uri? webhookUrl = null;
            switch (kind)
            {
                case GuardrailKind.Keywords:
                    CheckKeywords(reader, keywords, path + ".keywords");
                    break;
                case GuardrailKind.Regex:
                    CheckPatterns(reader, patterns, path + ".patterns", timeout);
                    break;
                case GuardrailKind.Webhook:
                    if (url is null)
                    {
                        reader.Errors.Add($"{path}.url: required for kind webhook");
                    }
                    else if (!UrlRules.TryParseHttpUrl(url, out webhookUrl, out var problem))
                    {
                        reader.Errors.Add($"{path}.url: the URL {problem.Replace("api_key or headers", "headers", StringComparison.Ordinal)}");
                    }

                    break;
            }

            if (name is null || reader.Errors.Count > errorsBefore)
            {
                continue;
            }

            result.Add(new GuardrailConfig
            {
                Name = name,
                Kind = kind.Value,
                Mode = mode ?? GuardrailMode.PreCall,
                Action = action ?? GuardrailAction.Block,
                Keywords = keywords,
                Patterns = patterns,
                Entities = entities ?? PiiEntities.All,
                Url = webhookUrl,
                Headers = headers,
                TimeoutMs = timeoutMs,
                OnError = onError ?? GuardrailOnError.FailClosed,
                OnUnknownShape = onUnknownShape ?? GuardrailUnknownShape.Refuse,
            });
        }

        return result;
    }

    /// <summary>
    /// A provider's or endpoint's <c>guardrails</c>: a list of names, or LiteLLM's map of name → settings
    /// (only custom endpoints take them): <c>request_fields</c> for a pre_call guardrail, <c>response_fields</c>
    /// for a post_call one (<c>fields</c> for either).
    /// </summary>
    /// <param name="reader">The YAML reader.</param>
    /// <param name="node">The <c>guardrails</c> value.</param>
    /// <param name="path">Its setting path, for errors.</param>
    /// <param name="defined">The names the guardrails section defines, with their modes.</param>
    /// <param name="fieldsAllowed">Whether fields may be given (custom endpoints).</param>
    public static (IReadOnlyList<string> Names, Dictionary<string, IReadOnlyList<string>> Fields) ReadReferences(
        YamlValueReader reader, YamlNode? node, string path, IReadOnlyDictionary<string, GuardrailMode> defined, bool fieldsAllowed)
    {
        var fields = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        IReadOnlyList<string> names;
        if (node is YamlMappingNode map)
        {
            var list = new List<string>();
            foreach (var (name, settings) in reader.Entries(map, path))
            {
                list.Add(name);
                if (YamlValueReader.IsNull(settings))
                {
                    continue;
                }

                var entryPath = $"{path}.{name}";
                var settingsMap = reader.Mapping(settings, entryPath);
                foreach (var (field, _) in reader.Entries(settingsMap, entryPath))
                {
                    if (!AttachmentFields.Contains(field))
                    {
                        reader.Errors.Add($"{entryPath}.{field}: unknown setting (known: request_fields, response_fields)");
                    }
                }

                var postCall = defined.TryGetValue(name, out var mode) && mode == GuardrailMode.PostCall;
                var (key, wrongKey) = postCall ? ("response_fields", "request_fields") : ("request_fields", "response_fields");
                if (YamlValueReader.Child(settingsMap, wrongKey) is not null)
                {
                    reader.Errors.Add($"{entryPath}.{wrongKey}: '{name}' runs {(postCall ? "post_call, on answers: use response_fields" : "pre_call, on requests: use request_fields")}");
                }

                if (YamlValueReader.Child(settingsMap, key) is null)
                {
                    key = "fields";
                }

                var paths = reader.StringList(YamlValueReader.Child(settingsMap, key), $"{entryPath}.{key}");
                if (paths.Count == 0)
                {
                    continue;
                }

                if (!fieldsAllowed)
                {
                    reader.Errors.Add($"{entryPath}.{key}: only custom endpoints take fields; provider routes read the providers' own shapes");
                    continue;
                }

                for (var i = 0; i < paths.Count; i++)
                {
                    if (!JsonTextPath.TryParse(paths[i], subtree: true, out _, out var problem))
                    {
                        reader.Errors.Add($"{entryPath}.{key}[{i}]: {problem}");
                    }
                }

                fields[name] = paths;
            }

            names = list;
        }
        else
        {
            names = reader.StringList(node, path);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!defined.ContainsKey(name))
            {
                reader.Errors.Add(defined.Count == 0
                    ? $"{path}: unknown guardrail '{name}' (the top-level guardrails: section defines none)"
                    : $"{path}: unknown guardrail '{name}' (defined: {string.Join(", ", defined.Keys.Order(StringComparer.Ordinal))})");
            }
            else if (!seen.Add(name))
            {
                reader.Errors.Add($"{path}: guardrail '{name}' is named twice");
            }
        }

        return (names, fields);
    }

    private static T? Enum<T>(YamlValueReader reader, YamlMappingNode map, string field, string path, T? fallback, params (string Name, T Value)[] values)
        where T : struct
    {
        var text = reader.String(YamlValueReader.Child(map, field), $"{path}.{field}");
        if (text is null)
        {
            return fallback;
        }

        foreach (var (name, value) in values)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        reader.Errors.Add($"{path}.{field}: '{text}' is not one of {string.Join(", ", values.Select(v => v.Name))}");
        return null;
    }

    private static void OnlyFor(YamlValueReader reader, YamlMappingNode map, string path, string field, GuardrailKind kind, params GuardrailKind[] kinds)
    {
        if (YamlValueReader.Child(map, field) is not null && !kinds.Contains(kind))
        {
            reader.Errors.Add($"{path}.{field}: not a setting of kind {KindName(kind)} (only of {string.Join(", ", kinds.Select(KindName))})");
        }
    }

    private static string KindName(GuardrailKind kind) => kind.ToString().ToLowerInvariant();

    private static PiiEntities? ReadEntities(YamlValueReader reader, YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }

        var names = reader.StringList(node, path);
        if (names.Count == 0)
        {
            reader.Errors.Add($"{path}: name at least one of {string.Join(", ", PiiDetector.Names)} (or leave it out for all)");
            return null;
        }

        var entities = PiiEntities.None;
        foreach (var name in names)
        {
            if (PiiDetector.TryParse(name, out var entity))
            {
                entities |= entity;
            }
            else
            {
                reader.Errors.Add($"{path}: unknown entity '{name}' (known: {string.Join(", ", PiiDetector.Names)})");
            }
        }

        return entities;
    }

    private static int? ReadTimeout(YamlValueReader reader, YamlNode? node, string path)
    {
        var value = reader.PositiveNumber(node, path);
        if (value is null)
        {
            return null;
        }

        if (value > MaxTimeoutMs || value != Math.Floor(value.Value))
        {
            reader.Errors.Add($"{path}: expected whole milliseconds from 1 to {MaxTimeoutMs}, got '{value}'");
            return null;
        }

        return (int)value.Value;
    }

    private static void CheckKeywords(YamlValueReader reader, IReadOnlyList<string> keywords, string path)
    {
        if (keywords.Count == 0)
        {
            reader.Errors.Add($"{path}: required for kind keywords (a list of words or phrases)");
            return;
        }

        if (keywords.Any(string.IsNullOrWhiteSpace))
        {
            reader.Errors.Add($"{path}: a keyword must not be blank");
            return;
        }

        try
        {
            _ = new KeywordDetector(keywords);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            reader.Errors.Add($"{path}: the keywords cannot be compiled: {e.Message}");
        }
    }

    private static void CheckPatterns(YamlValueReader reader, IReadOnlyList<string> patterns, string path, TimeSpan timeout)
    {
        if (patterns.Count == 0)
        {
            reader.Errors.Add($"{path}: required for kind regex (a list of .NET regular expressions)");
            return;
        }

        for (var i = 0; i < patterns.Count; i++)
        {
            try
            {
                RegexDetector.Compile(patterns[i], timeout, out _);
            }
            catch (ArgumentException e)
            {
                reader.Errors.Add($"{path}[{i}]: not a valid regular expression: {e.Message}");
            }
        }
    }
}
