using Tollgate.Guardrails;
using Tollgate.Metering.Pricing;
using Tollgate.Providers;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tollgate.Configuration;

/// <summary>
/// Turns a LiteLLM-style YAML file into a <see cref="TollgateConfig"/> snapshot. Sections Tollgate does
/// not use (model_list, router_settings, …) are ignored so an existing LiteLLM config loads; every
/// problem in the sections it does use is collected, to be reported with the environment's (<see cref="Hosting.GatewaySettings"/>).
/// </summary>
internal static class ConfigLoader
{
    private static readonly HashSet<string> EndpointFields =
    [
        "path", "target", "headers", "include_subpath", "forward_headers", "auth", "cost_per_request",
        "timeout", "methods", "default_query_params", "merge_query_params", "guardrails",
    ];

    private static readonly HashSet<string> HttpMethods =
        ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    /// <exception cref="ConfigurationException">Every problem the text has.</exception>
    public static TollgateConfig LoadYaml(string yaml, Func<string, string?> environment, string source = "config")
    {
        var problems = new List<string>();
        var config = Read(yaml, environment, problems);
        return problems.Count == 0 ? config : throw new ConfigurationException(source, problems);
    }

    /// <summary>
    /// The snapshot of <paramref name="yaml"/>, with every problem added to <paramref name="problems"/>: a setting
    /// that has one is left at its default, so the rest of start-up can still be checked. Text that is not YAML
    /// reads as no config at all.
    /// </summary>
    public static TollgateConfig Read(string yaml, Func<string, string?> environment, List<string> problems)
    {
        var warnings = new List<string>();
        var reader = new YamlValueReader(environment, problems);
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? null : reader.Mapping(stream.Documents[0].RootNode, "(top level)");
        }
        catch (YamlException e)
        {
            problems.Add($"not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
            return TollgateConfig.Empty;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner reports some syntax errors (an unclosed '[') without a position.
            problems.Add($"not valid YAML after line {LastGoodLine(yaml)}: an unclosed '[' or '{{', or a similar structure");
            return TollgateConfig.Empty;
        }

        // First, so providers and endpoints can be checked to name only guardrails that exist.
        var guardrails = GuardrailConfigReader.Read(reader, YamlValueReader.Child(root, "guardrails"));
        var guardrailNames = GuardrailConfigReader.RawModes(YamlValueReader.Child(root, "guardrails"));
        return new TollgateConfig
        {
            General = ReadGeneral(reader, YamlValueReader.Child(root, "general_settings"), guardrailNames, warnings),
            Litellm = ReadLitellm(reader, YamlValueReader.Child(root, "litellm_settings")),
            DefaultVertex = ReadVertex(reader, YamlValueReader.Child(root, "default_vertex_config"), "default_vertex_config"),
            Providers = ReadProviders(reader, YamlValueReader.Child(root, "pass_through_providers"), guardrailNames),
            ModelPrices = ReadModelPrices(reader, YamlValueReader.Child(root, "model_prices")),
            Guardrails = guardrails,
            Warnings = warnings,
        };
    }

    private static long LastGoodLine(string yaml)
    {
        var scanner = new Scanner(new StringReader(yaml));
        long line = 1;
        try
        {
            while (scanner.MoveNext())
            {
                line = scanner.Current!.End.Line;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or YamlException)
        {
            // Stop at the first token that cannot be read; the line before it is where to look.
        }

        return line;
    }

    private static GeneralSettings ReadGeneral(YamlValueReader reader, YamlNode? node, IReadOnlyDictionary<string, GuardrailMode> guardrails, List<string> warnings)
    {
        const string Path = "general_settings";
        var map = reader.Mapping(node, Path);
        foreach (var (name, _) in reader.Entries(map, Path))
        {
            if (!SettingNames.TollgateGeneral.Contains(name) && !SettingNames.LitellmGeneral.Contains(name))
            {
                warnings.Add($"{Path}.{name}: neither a Tollgate nor a LiteLLM setting, so it is ignored; "
                    + $"did you mean '{SettingNames.Nearest(name, SettingNames.TollgateGeneral.Concat(SettingNames.LitellmGeneral))}'?");
            }
        }

        var masterKey = reader.String(YamlValueReader.Child(map, "master_key"), Path + ".master_key");
        if (masterKey is not null && !masterKey.StartsWith("sk-", StringComparison.Ordinal))
        {
            reader.Errors.Add($"{Path}.master_key: must start with \"sk-\"");
        }

        if (YamlValueReader.Child(map, "virtual_keys") is not null)
        {
            reader.Errors.Add($"{Path}.virtual_keys: no longer read; keys live in the database now: create them with POST /key/generate");
        }

        var defaults = new GeneralSettings();
        var maxRequestSizeMb = reader.PositiveNumber(YamlValueReader.Child(map, "max_request_size_mb"), Path + ".max_request_size_mb") ?? defaults.MaxRequestSizeMb;
        var maxBufferedRequestMb = reader.PositiveNumber(YamlValueReader.Child(map, "max_buffered_request_mb"), Path + ".max_buffered_request_mb");
        if (maxBufferedRequestMb < maxRequestSizeMb)
        {
            reader.Errors.Add($"{Path}.max_buffered_request_mb: must be at least max_request_size_mb ({maxRequestSizeMb.ToString(System.Globalization.CultureInfo.InvariantCulture)}), or the largest allowed body could never be read");
        }

        return new GeneralSettings
        {
            MasterKey = masterKey,
            DatabaseUrl = reader.String(YamlValueReader.Child(map, "database_url"), Path + ".database_url"),
            RedisUrl = reader.String(YamlValueReader.Child(map, "redis_url"), Path + ".redis_url"),
            AllowUnauthenticated = reader.Bool(YamlValueReader.Child(map, "allow_unauthenticated"), Path + ".allow_unauthenticated", false),
            MaxRequestSizeMb = maxRequestSizeMb,
            MaxBufferedRequestMb = maxBufferedRequestMb ?? Math.Max(defaults.MaxBufferedRequestMb, maxRequestSizeMb),
            GracefulShutdownTimeoutSeconds = reader.PositiveNumber(YamlValueReader.Child(map, "graceful_shutdown_timeout"), Path + ".graceful_shutdown_timeout") ?? defaults.GracefulShutdownTimeoutSeconds,
            PassThroughEndpoints = ReadEndpoints(reader, YamlValueReader.Child(map, "pass_through_endpoints"), guardrails),
            AllowedWebSocketOrigins = ReadOrigins(reader, YamlValueReader.Child(map, "allowed_websocket_origins"), Path + ".allowed_websocket_origins"),
        };
    }

    /// <summary>Each entry is <c>"*"</c> or an origin as browsers send it: scheme and host (and port), no path.</summary>
    private static IReadOnlyList<string> ReadOrigins(YamlValueReader reader, YamlNode? node, string path)
    {
        var origins = reader.StringList(node, path);
        for (var i = 0; i < origins.Count; i++)
        {
            var origin = origins[i];
            if (origin != Forwarding.WebSocketPolicy.AnyOrigin
                && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.GetLeftPart(UriPartial.Authority).Equals(origin, StringComparison.OrdinalIgnoreCase)))
            {
                reader.Errors.Add($"{path}[{i}]: expected \"*\" or an origin like https://app.example.com (scheme and host, no path), got '{origin}'");
            }
        }

        return origins;
    }

    private static LitellmSettings ReadLitellm(YamlValueReader reader, YamlNode? node)
    {
        var map = reader.Mapping(node, "litellm_settings");
        return new LitellmSettings
        {
            IncludeCostInStreamingUsage = reader.Bool(
                YamlValueReader.Child(map, "include_cost_in_streaming_usage"), "litellm_settings.include_cost_in_streaming_usage", false),
        };
    }

    private static VertexConfig? ReadVertex(YamlValueReader reader, YamlNode? node, string path)
    {
        var map = reader.Mapping(node, path);
        if (map is null)
        {
            return null;
        }

        return new VertexConfig
        {
            Project = reader.String(YamlValueReader.Child(map, "vertex_project"), path + ".vertex_project"),
            Location = reader.String(YamlValueReader.Child(map, "vertex_location"), path + ".vertex_location"),
            Credentials = reader.String(YamlValueReader.Child(map, "vertex_credentials"), path + ".vertex_credentials"),
        };
    }

    private static Dictionary<string, ProviderConfig> ReadProviders(YamlValueReader reader, YamlNode? node, IReadOnlyDictionary<string, GuardrailMode> guardrails)
    {
        var result = new Dictionary<string, ProviderConfig>(StringComparer.Ordinal);
        foreach (var (name, value) in reader.Entries(reader.Mapping(node, "pass_through_providers"), "pass_through_providers"))
        {
            var path = "pass_through_providers." + name;
            if (!ProviderRegistry.KnownNames.Contains(name))
            {
                reader.Errors.Add($"{path}: unknown provider (known: {string.Join(", ", ProviderRegistry.KnownNames.Order())})");
                continue;
            }

            // "vllm:" with nothing after it: every provider field is optional.
            var map = YamlValueReader.IsNull(value) ? null : reader.Mapping(value, path);
            foreach (var (field, _) in reader.Entries(map, path))
            {
                if (!ProviderRegistry.ConfigFields.Contains(field))
                {
                    reader.Errors.Add($"{path}.{field}: unknown setting; did you mean '{SettingNames.Nearest(field, ProviderRegistry.ConfigFields)}'?");
                }
            }

            var credentials = new List<VertexConfig>();
            if (YamlValueReader.Child(map, "credentials") is { } credentialNode)
            {
                if (credentialNode is YamlSequenceNode sequence)
                {
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        if (ReadVertex(reader, sequence.Children[i], $"{path}.credentials[{i}]") is { } vertex)
                        {
                            credentials.Add(vertex);
                        }
                    }
                }
                else
                {
                    reader.Errors.Add($"{path}.credentials: expected a list");
                }
            }

            var apiBase = reader.String(YamlValueReader.Child(map, "api_base"), path + ".api_base");
            var agentApiBase = reader.String(YamlValueReader.Child(map, "agent_api_base"), path + ".agent_api_base");
            UrlRules.CheckBaseUrl(apiBase, path + ".api_base", reader.Errors);
            UrlRules.CheckBaseUrl(agentApiBase, path + ".agent_api_base", reader.Errors);

            result[name] = new ProviderConfig
            {
                ApiKey = reader.String(YamlValueReader.Child(map, "api_key"), path + ".api_key"),
                ApiBase = apiBase,
                AgentApiBase = agentApiBase,
                TimeoutSeconds = reader.PositiveNumber(YamlValueReader.Child(map, "timeout"), path + ".timeout"),
                Guardrails = GuardrailConfigReader.ReadReferences(reader, YamlValueReader.Child(map, "guardrails"), path + ".guardrails", guardrails, fieldsAllowed: false).Names,
                VertexCredentials = credentials,
                AwsAccessKeyId = reader.String(YamlValueReader.Child(map, "aws_access_key_id"), path + ".aws_access_key_id"),
                AwsSecretAccessKey = reader.String(YamlValueReader.Child(map, "aws_secret_access_key"), path + ".aws_secret_access_key"),
                AwsSessionToken = reader.String(YamlValueReader.Child(map, "aws_session_token"), path + ".aws_session_token"),
                AwsRegionName = reader.String(YamlValueReader.Child(map, "aws_region_name"), path + ".aws_region_name"),
            };
        }

        return result;
    }

    /// <summary>
    /// <c>model_prices</c>: model name → LiteLLM price fields (USD per token, read exactly as decimals) and an
    /// optional <c>litellm_provider</c>. Other LiteLLM metadata (<c>max_tokens</c>, <c>mode</c>, <c>supports_*</c>)
    /// is ignored, but a <c>*cost*</c> field Tollgate cannot apply is an error rather than a silent misprice.
    /// </summary>
    private static Dictionary<string, ModelPriceOverride> ReadModelPrices(YamlValueReader reader, YamlNode? node)
    {
        const string Path = "model_prices";
        var result = new Dictionary<string, ModelPriceOverride>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in reader.Entries(reader.Mapping(node, Path), Path))
        {
            var path = $"{Path}.{name}";
            if (name.Trim().Length == 0)
            {
                reader.Errors.Add($"{Path}: a model name must not be empty");
                continue;
            }

            if (YamlValueReader.IsNull(value))
            {
                reader.Errors.Add($"{path}: no price given (expected {string.Join(", ", ModelPriceBuilder.FieldNames)})");
                continue;
            }

            var map = reader.Mapping(value, path);
            if (map is null)
            {
                continue;
            }

            var errorsBefore = reader.Errors.Count;
            var builder = new ModelPriceBuilder();
            string? provider = null;
            foreach (var (field, fieldNode) in reader.Entries(map, path))
            {
                var fieldPath = $"{path}.{field}";
                if (YamlValueReader.IsNull(fieldNode))
                {
                    continue;
                }

                if (field == "litellm_provider")
                {
                    var text = reader.String(fieldNode, fieldPath);
                    if (text is not null && !PricingProviders.TryFromLitellm(text, out provider))
                    {
                        reader.Errors.Add($"{fieldPath}: unknown provider '{text}' (known: {string.Join(", ", ProviderRegistry.KnownNames.Order())}, or a LiteLLM name such as bedrock_converse)");
                    }

                    continue;
                }

                if (!ModelPriceBuilder.IsKnownField(field))
                {
                    if (field.Contains("cost", StringComparison.OrdinalIgnoreCase))
                    {
                        reader.Errors.Add($"{fieldPath}: not a price Tollgate applies (it applies {string.Join(", ", ModelPriceBuilder.FieldNames)}, each but the last also with an _above_<N>k_tokens suffix)");
                    }

                    continue;
                }

                if (reader.NonNegativeDecimal(fieldNode, fieldPath) is { } price)
                {
                    builder.TrySet(field, price);
                }
            }

            if (!builder.HasAnyPrice && reader.Errors.Count == errorsBefore)
            {
                reader.Errors.Add($"{path}: no price given (expected {string.Join(", ", ModelPriceBuilder.FieldNames)})");
            }

            if (!result.TryAdd(name.Trim(), new ModelPriceOverride(provider, builder.Build())))
            {
                reader.Errors.Add($"{path}: configured more than once (model names are compared without case)");
            }
        }

        return result;
    }

    private static List<CustomEndpointConfig> ReadEndpoints(YamlValueReader reader, YamlNode? node, IReadOnlyDictionary<string, GuardrailMode> guardrails)
    {
        const string Path = "general_settings.pass_through_endpoints";
        var result = new List<CustomEndpointConfig>();
        if (node is null)
        {
            return result;
        }

        if (node is not YamlSequenceNode sequence)
        {
            reader.Errors.Add($"{Path}: expected a list of endpoints");
            return result;
        }

        var seenPaths = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"{Path}[{i}]";
            var map = reader.Mapping(sequence.Children[i], path);
            if (map is null)
            {
                continue;
            }

            foreach (var (field, _) in reader.Entries(map, path))
            {
                if (!EndpointFields.Contains(field))
                {
                    reader.Errors.Add($"{path}.{field}: unknown setting; did you mean '{SettingNames.Nearest(field, EndpointFields)}'?");
                }
            }

            var routePath = reader.String(YamlValueReader.Child(map, "path"), path + ".path");
            var target = reader.String(YamlValueReader.Child(map, "target"), path + ".target");
            var valid = CheckEndpointPath(routePath, path + ".path", reader.Errors);
            var targetUri = UrlRules.ParseTarget(target, path + ".target", reader.Errors);
            if (routePath is not null && valid && !seenPaths.Add(routePath.TrimEnd('/')))
            {
                reader.Errors.Add($"{path}.path: '{routePath}' is configured more than once");
            }

            var methods = reader.StringList(YamlValueReader.Child(map, "methods"), path + ".methods")
                .Select(m => m.ToUpperInvariant()).ToList();
            foreach (var method in methods.Where(m => !HttpMethods.Contains(m)))
            {
                reader.Errors.Add($"{path}.methods: '{method}' is not an HTTP method Tollgate forwards");
            }

            var (guardrailNames, guardrailFields) = GuardrailConfigReader.ReadReferences(
                reader, YamlValueReader.Child(map, "guardrails"), path + ".guardrails", guardrails, fieldsAllowed: true);
            if (!valid || targetUri is null)
            {
                continue;
            }

            result.Add(new CustomEndpointConfig
            {
                Path = routePath!.Length > 1 ? routePath.TrimEnd('/') : routePath,
                Target = targetUri,
                Headers = reader.StringMap(YamlValueReader.Child(map, "headers"), path + ".headers"),
                IncludeSubpath = reader.Bool(YamlValueReader.Child(map, "include_subpath"), path + ".include_subpath", false),
                ForwardHeaders = reader.Bool(YamlValueReader.Child(map, "forward_headers"), path + ".forward_headers", false),
                Auth = reader.Bool(YamlValueReader.Child(map, "auth"), path + ".auth", false),
                CostPerRequest = reader.NonNegativeDecimal(YamlValueReader.Child(map, "cost_per_request"), path + ".cost_per_request"),
                TimeoutSeconds = reader.PositiveNumber(YamlValueReader.Child(map, "timeout"), path + ".timeout"),
                Methods = methods,
                DefaultQueryParams = reader.StringMap(YamlValueReader.Child(map, "default_query_params"), path + ".default_query_params"),
                MergeQueryParams = reader.Bool(YamlValueReader.Child(map, "merge_query_params"), path + ".merge_query_params", false),
                Guardrails = guardrailNames,
                GuardrailFields = guardrailFields,
            });
        }

        return result;
    }

    private static bool CheckEndpointPath(string? path, string where, List<string> errors)
    {
        if (path is null)
        {
            errors.Add($"{where}: required");
            return false;
        }

        if (!path.StartsWith('/') || path.Length < 2 || path.AsSpan().IndexOfAny("?#\\ ") >= 0)
        {
            errors.Add($"{where}: '{path}' must start with '/', name at least one segment and hold no '?', '#', '\\' or spaces");
            return false;
        }

        var firstSegment = path.AsSpan(1);
        var slash = firstSegment.IndexOf('/');
        if (slash >= 0)
        {
            firstSegment = firstSegment[..slash];
        }

        if (ProviderRegistry.ReservedSegments.GetAlternateLookup<ReadOnlySpan<char>>().Contains(firstSegment))
        {
            errors.Add($"{where}: '{path}' falls under the built-in route /{firstSegment}; choose another prefix");
            return false;
        }

        return true;
    }
}
