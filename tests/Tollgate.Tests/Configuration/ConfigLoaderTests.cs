using Tollgate.Configuration;
using Tollgate.Guardrails;
using Tollgate.Metering.Pricing;
using Tollgate.Providers;

namespace Tollgate.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private static readonly Dictionary<string, string> TestEnvironment = new()
    {
        ["OPENAI_API_KEY"] = "sk-real-openai",
        ["COHERE_API_KEY"] = "co-real-cohere",
        ["TEAM"] = "blue",
    };

    private static TollgateConfig Load(string yaml) =>
        ConfigLoader.LoadYaml(yaml, name => TestEnvironment.GetValueOrDefault(name));

    private static IReadOnlyList<string> Problems(string yaml) =>
        Assert.Throws<ConfigurationException>(() => Load(yaml)).Errors;

    private static void AssertProblem(IReadOnlyList<string> errors, string configPath, string mentions) =>
        Assert.Contains(errors, e => e.StartsWith(configPath + ":", StringComparison.Ordinal) && e.Contains(mentions, StringComparison.Ordinal));

    [Fact]
    public void Whole_value_environment_reference_is_resolved()
    {
        var config = Load("""
            pass_through_providers:
              openai: { api_key: os.environ/OPENAI_API_KEY }
            """);

        Assert.Equal("sk-real-openai", config.Providers["openai"].ApiKey);
    }

    [Fact]
    public void Embedded_environment_references_are_resolved_in_place()
    {
        var config = Load("""
            general_settings:
              pass_through_endpoints:
                - path: /cohere-rerank
                  target: http://127.0.0.1:9/v1/rerank
                  headers:
                    Authorization: "bearer os.environ/COHERE_API_KEY"
                    X-Label: "os.environ/TEAM-os.environ/TEAM"
            """);

        var headers = config.General.PassThroughEndpoints.Single().Headers;
        Assert.Equal("bearer co-real-cohere", headers["Authorization"]);
        Assert.Equal("blue-blue", headers["X-Label"]);
    }

    [Fact]
    public void Missing_environment_variable_is_named_with_the_setting_that_uses_it()
    {
        var errors = Problems("""
            pass_through_providers:
              anthropic: { api_key: os.environ/ANTHROPIC_KEY_NOT_SET }
            """);

        var problem = Assert.Single(errors);
        Assert.StartsWith("pass_through_providers.anthropic.api_key:", problem);
        Assert.Contains("ANTHROPIC_KEY_NOT_SET", problem);
    }

    [Fact]
    public void Every_problem_is_reported_together_in_one_exception()
    {
        var errors = Problems("""
            general_settings:
              pass_through_endpoints:
                - path: /openai/custom
                  target: http://127.0.0.1:9/x
                - path: /dup
                  target: http://127.0.0.1:9/a
                - path: /dup/
                  target: http://127.0.0.1:9/b
                - path: /methods
                  target: http://127.0.0.1:9/m
                  methods: [POST, FETCH]
                  colour: blue
            pass_through_providers:
              openaii: { api_key: x }
              anthropic: { api_key: os.environ/ANTHROPIC_KEY_NOT_SET, api_base: "not a url" }
            """);

        AssertProblem(errors, "general_settings.pass_through_endpoints[0].path", "/openai");
        AssertProblem(errors, "general_settings.pass_through_endpoints[2].path", "/dup");
        AssertProblem(errors, "general_settings.pass_through_endpoints[3].methods", "FETCH");
        AssertProblem(errors, "general_settings.pass_through_endpoints[3].colour", "unknown");
        AssertProblem(errors, "pass_through_providers.openaii", "unknown provider");
        AssertProblem(errors, "pass_through_providers.anthropic.api_key", "ANTHROPIC_KEY_NOT_SET");
        AssertProblem(errors, "pass_through_providers.anthropic.api_base", "not a url");
        Assert.Equal(7, errors.Count);
    }

    [Theory]
    [InlineData("/openai/custom")]
    [InlineData("/anthropic")]
    [InlineData("/gemini/v1")]
    [InlineData("/azure")]
    [InlineData("/cohere/rerank")]
    [InlineData("/mistral")]
    [InlineData("/assemblyai")]
    [InlineData("/vllm/x")]
    [InlineData("/vertex_ai/x")]
    [InlineData("/vertex-ai")]
    [InlineData("/bedrock/x")]
    [InlineData("/key/generate")]
    [InlineData("/spend")]
    [InlineData("/health/custom")]
    [InlineData("/metrics")]
    [InlineData("/OpenAI/custom")]
    public void Custom_path_under_a_built_in_prefix_is_refused(string path)
    {
        var errors = Problems($"""
            general_settings:
              pass_through_endpoints:
                - path: {path}
                  target: http://127.0.0.1:9/x
            """);

        AssertProblem(errors, "general_settings.pass_through_endpoints[0].path", path);
    }

    public static TheoryData<string> ProviderRoutePrefixes() => [.. ProviderRegistry.All.SelectMany(p => p.RoutePrefixes)];

    [Theory]
    [MemberData(nameof(ProviderRoutePrefixes))]
    public void Every_registered_route_prefix_is_refused_as_a_custom_path(string prefix)
    {
        var errors = Problems($"""
            general_settings:
              pass_through_endpoints:
                - path: /{prefix}/mine
                  target: http://127.0.0.1:9/x
            """);

        AssertProblem(errors, "general_settings.pass_through_endpoints[0].path", $"falls under the built-in route /{prefix}");
    }

    [Fact]
    public void Custom_path_that_only_starts_with_the_same_letters_as_a_built_in_prefix_is_accepted()
    {
        var config = Load("""
            general_settings:
              pass_through_endpoints:
                - path: /openai-compatible/v1
                  target: http://127.0.0.1:9/x
            """);

        Assert.Equal("/openai-compatible/v1", config.General.PassThroughEndpoints.Single().Path);
    }

    [Fact]
    public void Unknown_litellm_sections_are_ignored()
    {
        var config = Load("""
            model_list:
              - model_name: gpt-4o
                litellm_params: { model: openai/gpt-4o, api_key: os.environ/NOT_SET_BUT_IGNORED }
            router_settings:
              routing_strategy: simple-shuffle
            pass_through_providers:
              openai: { api_key: os.environ/OPENAI_API_KEY }
            """);

        Assert.Equal("sk-real-openai", config.Providers["openai"].ApiKey);
    }

    [Fact]
    public void Provider_fields_are_parsed()
    {
        var config = Load("""
            pass_through_providers:
              openai: { api_key: os.environ/OPENAI_API_KEY, api_base: "http://127.0.0.1:8001/openai", timeout: 45.5 }
              vertex_ai:
                api_base: "https://{location}-aiplatform.googleapis.com"
                credentials:
                  - { vertex_project: p1, vertex_location: us-central1, vertex_credentials: /secrets/sa1.json }
                  - { vertex_project: p2, vertex_location: europe-west4, vertex_credentials: /secrets/sa2.json }
              bedrock:
                aws_access_key_id: AKIDEXAMPLE
                aws_secret_access_key: secret-example
                aws_session_token: token-example
                aws_region_name: eu-west-1
                api_base: "https://bedrock-runtime.{region}.amazonaws.com"
                agent_api_base: "https://bedrock-agent-runtime.{region}.amazonaws.com"
            default_vertex_config: { vertex_project: my-project, vertex_location: us-central1, vertex_credentials: /secrets/sa.json }
            """);

        var openai = config.Providers["openai"];
        Assert.Equal("sk-real-openai", openai.ApiKey);
        Assert.Equal("http://127.0.0.1:8001/openai", openai.ApiBase);
        Assert.Equal(45.5, openai.TimeoutSeconds);

        var vertex = config.Providers["vertex_ai"];
        Assert.Equal("https://{location}-aiplatform.googleapis.com", vertex.ApiBase);
        Assert.Equal(
            [new VertexConfig { Project = "p1", Location = "us-central1", Credentials = "/secrets/sa1.json" },
             new VertexConfig { Project = "p2", Location = "europe-west4", Credentials = "/secrets/sa2.json" }],
            vertex.VertexCredentials);

        var bedrock = config.Providers["bedrock"];
        Assert.Equal("AKIDEXAMPLE", bedrock.AwsAccessKeyId);
        Assert.Equal("secret-example", bedrock.AwsSecretAccessKey);
        Assert.Equal("token-example", bedrock.AwsSessionToken);
        Assert.Equal("eu-west-1", bedrock.AwsRegionName);
        Assert.Equal("https://bedrock-runtime.{region}.amazonaws.com", bedrock.ApiBase);
        Assert.Equal("https://bedrock-agent-runtime.{region}.amazonaws.com", bedrock.AgentApiBase);

        Assert.Equal(new VertexConfig { Project = "my-project", Location = "us-central1", Credentials = "/secrets/sa.json" }, config.DefaultVertex);
    }

    [Fact]
    public void Custom_endpoint_fields_are_parsed()
    {
        var config = Load("""
            general_settings:
              pass_through_endpoints:
                - path: /rerank/
                  target: "http://127.0.0.1:9/v1/rerank?api-version=2024-01"
                  headers: { Authorization: "bearer os.environ/COHERE_API_KEY" }
                  include_subpath: true
                  forward_headers: true
                  auth: true
                  cost_per_request: 0.002
                  timeout: 30
                  methods: [post, GET]
                  default_query_params: { limit: "10" }
                  merge_query_params: true
            """);

        var endpoint = config.General.PassThroughEndpoints.Single();
        Assert.Equal("/rerank", endpoint.Path);
        Assert.Equal(new Uri("http://127.0.0.1:9/v1/rerank?api-version=2024-01"), endpoint.Target);
        Assert.Equal("bearer co-real-cohere", endpoint.Headers["Authorization"]);
        Assert.True(endpoint.IncludeSubpath);
        Assert.True(endpoint.ForwardHeaders);
        Assert.True(endpoint.Auth);
        Assert.Equal(0.002m, endpoint.CostPerRequest);
        Assert.Equal(30, endpoint.TimeoutSeconds);
        Assert.Equal(["POST", "GET"], endpoint.Methods);
        Assert.Equal("10", endpoint.DefaultQueryParams["limit"]);
        Assert.True(endpoint.MergeQueryParams);
    }

    [Fact]
    public void Custom_endpoint_defaults_follow_litellm()
    {
        var config = Load("""
            general_settings:
              pass_through_endpoints:
                - path: /plain
                  target: http://127.0.0.1:9/plain
            """);

        var endpoint = config.General.PassThroughEndpoints.Single();
        Assert.False(endpoint.IncludeSubpath);
        Assert.False(endpoint.ForwardHeaders);
        Assert.False(endpoint.Auth);
        Assert.False(endpoint.MergeQueryParams);
        Assert.Empty(endpoint.Methods);
        Assert.Empty(endpoint.Headers);
        Assert.Null(endpoint.TimeoutSeconds);
        Assert.Null(endpoint.CostPerRequest);
    }

    [Fact]
    public void Master_key_without_the_sk_prefix_is_refused()
    {
        var errors = Problems("""
            general_settings:
              master_key: admin-123
            """);

        var problem = Assert.Single(errors);
        Assert.StartsWith("general_settings.master_key:", problem);
        Assert.Contains("\"sk-\"", problem);
    }

    [Fact]
    public void Master_key_with_the_sk_prefix_is_accepted()
    {
        var config = Load("""
            general_settings:
              master_key: sk-admin-123
            """);

        Assert.Equal("sk-admin-123", config.General.MasterKey);
    }

    [Theory]
    [InlineData("general_settings:\n  master_key: sk-a\n   bad_indent: x\n", 3)]
    [InlineData("general_settings:\n  master_key: \"unterminated\n", 2)]
    [InlineData("general_settings: {master_key: sk-a\n", 2)]
    [InlineData("pass_through_providers: {}\nlist_after_map: x\n- item\n", 3)]
    public void Invalid_yaml_is_reported_with_its_line_number(string yaml, int line)
    {
        var problem = Assert.Single(Problems(yaml));

        Assert.Contains($"line {line}", problem);
    }

    [Fact]
    public void Unclosed_flow_sequence_is_reported_as_invalid_yaml()
    {
        var problem = Assert.Single(Problems("general_settings:\n  master_key: sk-a\n  database_url: [unclosed\npass_through_providers: {}\n"));

        Assert.Contains("line", problem);
    }

    [Fact]
    public void Null_and_empty_values_are_treated_as_absent()
    {
        var config = Load("""
            general_settings:
              master_key:
              database_url: null
              redis_url: ~
              pass_through_endpoints:
            litellm_settings:
            pass_through_providers:
              openai:
                api_key:
                api_base: null
                timeout:
            """);

        Assert.Null(config.General.MasterKey);
        Assert.Null(config.General.DatabaseUrl);
        Assert.Null(config.General.RedisUrl);
        Assert.Empty(config.General.PassThroughEndpoints);
        Assert.False(config.Litellm.IncludeCostInStreamingUsage);
        var openai = config.Providers["openai"];
        Assert.Null(openai.ApiKey);
        Assert.Null(openai.ApiBase);
        Assert.Null(openai.TimeoutSeconds);
    }

    [Fact]
    public void Provider_entry_with_an_empty_value_is_treated_as_having_no_settings()
    {
        var config = Load("""
            pass_through_providers:
              vllm:
            """);

        Assert.Null(config.Providers.GetValueOrDefault("vllm")?.ApiBase);
    }

    [Fact]
    public void Mapping_key_that_is_a_list_is_reported_as_a_config_problem()
    {
        var errors = Problems("""
            pass_through_providers: { [a]: b }
            """);

        Assert.Contains(errors, e => e.StartsWith("pass_through_providers", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void Empty_file_loads_the_defaults(string yaml)
    {
        var config = Load(yaml);

        Assert.Null(config.General.MasterKey);
        Assert.Empty(config.Providers);
        Assert.Empty(config.General.PassThroughEndpoints);
    }

    [Fact]
    public void Guardrails_are_accepted_as_a_list_or_as_litellms_map()
    {
        var config = Load("""
            guardrails:
              - { name: mask-pii, kind: pii, action: mask }
              - { name: ids, kind: regex, patterns: ["EMP-[0-9]{6}"] }
              - { name: block-codenames, kind: keywords, keywords: [project falcon] }
              - { name: moderation, kind: webhook, url: "http://127.0.0.1:9/check" }
            pass_through_providers:
              openai: { guardrails: [mask-pii, ids] }
            general_settings:
              pass_through_endpoints:
                - path: /rerank
                  target: http://127.0.0.1:9/v1/rerank
                  guardrails:
                    block-codenames: { request_fields: ["documents[*].text", query] }
                    moderation:
            """);

        Assert.Equal(["mask-pii", "ids"], config.Providers["openai"].Guardrails);
        var endpoint = config.General.PassThroughEndpoints.Single();
        Assert.Equal(["block-codenames", "moderation"], endpoint.Guardrails);
        Assert.Equal(["documents[*].text", "query"], endpoint.GuardrailFields["block-codenames"]);
        Assert.False(endpoint.GuardrailFields.ContainsKey("moderation"));
    }

    [Fact]
    public void Guardrails_are_read_with_their_defaults()
    {
        var config = Load("""
            guardrails:
              - name: block-codenames
                kind: keywords
                keywords: ["project falcon", falcon]
              - name: mask-pii
                kind: pii
                entities: [email, card]
                action: mask
                mode: pre_call
              - name: ids
                kind: regex
                patterns: ["EMP-[0-9]{6}", "(?<=x)y"]
                timeout_ms: 50
                on_error: fail_open
              - name: moderation
                kind: webhook
                url: http://127.0.0.1:9000/check
                headers: { Authorization: "Bearer os.environ/TEAM" }
                timeout_ms: 500
            """);

        var (keywords, pii, ids, webhook) = (config.Guardrails[0], config.Guardrails[1], config.Guardrails[2], config.Guardrails[3]);
        Assert.Equal((GuardrailKind.Keywords, GuardrailMode.PreCall, GuardrailAction.Block), (keywords.Kind, keywords.Mode, keywords.Action));
        Assert.Equal(["project falcon", "falcon"], keywords.Keywords);
        Assert.Equal((PiiEntities.Email | PiiEntities.Card, GuardrailAction.Mask), (pii.Entities, pii.Action));
        Assert.Equal((50, GuardrailOnError.FailOpen), (ids.TimeoutMs, ids.OnError));
        Assert.Equal(new Uri("http://127.0.0.1:9000/check"), webhook.Url);
        Assert.Equal("Bearer blue", webhook.Headers["Authorization"]);
        Assert.Equal((500, GuardrailOnError.FailClosed), (webhook.TimeoutMs, webhook.OnError));
        Assert.Equal(PiiEntities.All, Load("guardrails: [{ name: p, kind: pii }]").Guardrails[0].Entities);
    }

    [Fact]
    public void Guardrail_problems_are_reported_by_setting()
    {
        var errors = Problems("""
            guardrails:
              - { name: a, kind: keywords }
              - { name: a, kind: pii, entities: [email, passport] }
              - { name: b, kind: regex, patterns: ["EMP-[0-9"] }
              - { name: c, kind: spam }
              - { kind: pii }
              - { name: d, kind: webhook, action: block }
              - { name: e, kind: pii, patterns: [x], timeout_ms: 5 }
              - { name: f, kind: pii, mode: during_call }
              - { guardrail_name: g, litellm_params: { guardrail: aporia, mode: pre_call } }
              - { name: h, kind: webhook, url: "ftp://x/y", on_error: maybe }
              - { name: "i j", kind: pii, colour: red }
            """);

        AssertProblem(errors, "guardrails[0].keywords", "required for kind keywords");
        AssertProblem(errors, "guardrails[1].name", "configured more than once");
        AssertProblem(errors, "guardrails[1].entities", "unknown entity 'passport'");
        AssertProblem(errors, "guardrails[2].patterns[0]", "not a valid regular expression");
        AssertProblem(errors, "guardrails[3].kind", "'spam' is not one of keywords, regex, pii, webhook");
        AssertProblem(errors, "guardrails[4].name", "required");
        AssertProblem(errors, "guardrails[5].action", "the webhook's answer");
        AssertProblem(errors, "guardrails[5].url", "required for kind webhook");
        AssertProblem(errors, "guardrails[6].patterns", "not a setting of kind pii");
        AssertProblem(errors, "guardrails[6].timeout_ms", "not a setting of kind pii");
        AssertProblem(errors, "guardrails[7].mode", "'during_call' is not one of pre_call, post_call");
        AssertProblem(errors, "guardrails[8]", "guardrail_name/litellm_params");
        AssertProblem(errors, "guardrails[9].url", "is not an absolute http");
        AssertProblem(errors, "guardrails[9].on_error", "'maybe' is not one of fail_closed, fail_open");
        AssertProblem(errors, "guardrails[10].name", "without spaces");
        AssertProblem(errors, "guardrails[10].colour", "unknown setting");
    }

    [Fact]
    public void Post_call_guardrails_take_response_fields()
    {
        var config = Load("""
            guardrails:
              - { name: answers, kind: pii, mode: post_call, action: mask }
            general_settings:
              pass_through_endpoints:
                - path: /rerank
                  target: http://127.0.0.1:9/v1/rerank
                  guardrails:
                    answers: { response_fields: ["results[*].text"] }
            """);
        var errors = Problems("""
            guardrails:
              - { name: answers, kind: pii, mode: post_call, action: mask }
            general_settings:
              pass_through_endpoints:
                - path: /rerank
                  target: http://127.0.0.1:9/v1/rerank
                  guardrails:
                    answers: { request_fields: [query] }
            """);

        Assert.Equal(GuardrailMode.PostCall, config.Guardrails.Single().Mode);
        Assert.Equal(["results[*].text"], config.General.PassThroughEndpoints.Single().GuardrailFields["answers"]);
        AssertProblem(errors, "general_settings.pass_through_endpoints[0].guardrails.answers.request_fields", "runs post_call, on answers: use response_fields");
    }

    [Fact]
    public void References_to_undefined_guardrails_and_fields_on_providers_are_errors()
    {
        var errors = Problems("""
            guardrails:
              - { name: mask-pii, kind: pii, action: mask }
            pass_through_providers:
              openai: { guardrails: [mask-pii, nope] }
              anthropic: { guardrails: { mask-pii: { request_fields: [messages] } } }
            general_settings:
              pass_through_endpoints:
                - path: /rerank
                  target: http://127.0.0.1:9/v1/rerank
                  guardrails:
                    mask-pii: { request_fields: ["documents[", "query"], response_fields: [results] }
                - path: /other
                  target: http://127.0.0.1:9/v1/other
                  guardrails: [mask-pii, mask-pii, ghost]
            """);

        AssertProblem(errors, "pass_through_providers.openai.guardrails", "unknown guardrail 'nope' (defined: mask-pii)");
        AssertProblem(errors, "pass_through_providers.anthropic.guardrails.mask-pii.request_fields", "only custom endpoints take fields");
        AssertProblem(errors, "general_settings.pass_through_endpoints[0].guardrails.mask-pii.request_fields[0]", "not closed");
        AssertProblem(errors, "general_settings.pass_through_endpoints[0].guardrails.mask-pii.response_fields", "runs pre_call, on requests: use request_fields");
        AssertProblem(errors, "general_settings.pass_through_endpoints[1].guardrails", "'mask-pii' is named twice");
        AssertProblem(errors, "general_settings.pass_through_endpoints[1].guardrails", "unknown guardrail 'ghost'");
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void Model_prices_are_read_as_exact_decimals_in_plain_and_exponent_notation()
    {
        var config = Load("""
            model_prices:
              my-model:
                input_cost_per_token: 0.0000025
                output_cost_per_token: 1e-5
                cache_read_input_token_cost: "2.5e-7"
                cache_creation_input_token_cost: 3.75E-06
                cache_creation_input_token_cost_above_1hr: 0.000006
                input_cost_per_token_above_200k_tokens: 5e-6
                output_cost_per_token_above_200k_tokens: 0.00002
                litellm_provider: bedrock_converse
                max_tokens: 8192
                mode: chat
                supports_vision: true
            """);

        var entry = config.ModelPrices["MY-MODEL"];
        Assert.Equal("bedrock", entry.Provider);
        Assert.Equal(0.0000025m, entry.Price.InputCostPerToken);
        Assert.Equal(0.00001m, entry.Price.OutputCostPerToken);
        Assert.Equal(0.00000025m, entry.Price.CacheReadInputTokenCost);
        Assert.Equal(0.00000375m, entry.Price.CacheCreationInputTokenCost);
        Assert.Equal(0.000006m, entry.Price.CacheCreation1hInputTokenCost);
        var tier = Assert.Single(entry.Price.Tiers);
        Assert.Equal(200_000, tier.AboveInputTokens);
        Assert.Equal(0.000005m, tier.InputCostPerToken);
        Assert.Equal(0.00002m, tier.OutputCostPerToken);
        Assert.Null(tier.CacheReadInputTokenCost);
    }

    [Fact]
    public void Model_prices_default_to_none_and_an_entry_without_provider_applies_to_every_provider()
    {
        Assert.Empty(Load("general_settings: {}").ModelPrices);
        Assert.Empty(Load("model_prices: {}").ModelPrices);

        var entry = Load("""
            model_prices:
              rerank-house: { input_cost_per_query: 0.002 }
            """).ModelPrices["rerank-house"];
        Assert.Null(entry.Provider);
        Assert.Equal(0.002m, entry.Price.CostPerRequest);
    }

    [Fact]
    public void Configured_model_prices_override_the_built_in_table()
    {
        var config = Load("""
            model_prices:
              gpt-4o: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, litellm_provider: openai }
              house-llama: { input_cost_per_token: 1e-7, output_cost_per_token: 2e-7, litellm_provider: vllm }
            """);

        var table = PriceTable.BuiltIn.WithOverrides(config.ModelPrices);

        Assert.True(table.TryGet("openai", "gpt-4o-2024-11-20", out var price));
        Assert.Equal(0.000001m, price.InputCostPerToken);
        Assert.True(table.TryGet("vllm", "house-llama", out price));
        Assert.Equal(0.0000002m, price.OutputCostPerToken);
    }

    [Fact]
    public void Bad_model_prices_are_reported_with_their_setting_paths()
    {
        var errors = Problems("""
            model_prices:
              negative: { input_cost_per_token: -0.000001 }
              words: { output_cost_per_token: cheap }
              huge: { input_cost_per_token: 1e40 }
              listed: { input_cost_per_token: [1, 2] }
              audio: { input_cost_per_token: 1e-6, input_cost_per_audio_token: 1e-5 }
              nowhere: { input_cost_per_token: 1e-6, litellm_provider: openrouter }
              empty: { max_tokens: 100 }
              bare:
              not-a-map: 0.001
            """);

        AssertProblem(errors, "model_prices.negative.input_cost_per_token", "-0.000001");
        AssertProblem(errors, "model_prices.words.output_cost_per_token", "cheap");
        AssertProblem(errors, "model_prices.huge.input_cost_per_token", "1e40");
        AssertProblem(errors, "model_prices.listed.input_cost_per_token", "single value");
        AssertProblem(errors, "model_prices.audio.input_cost_per_audio_token", "not a price Tollgate applies");
        AssertProblem(errors, "model_prices.nowhere.litellm_provider", "openrouter");
        AssertProblem(errors, "model_prices.empty", "no price given");
        AssertProblem(errors, "model_prices.bare", "no price given");
        AssertProblem(errors, "model_prices.not-a-map", "mapping");
        Assert.Equal(9, errors.Count);
    }

    [Fact]
    public void Model_names_differing_only_in_case_are_reported()
    {
        var errors = Problems("""
            model_prices:
              gpt-4o: { input_cost_per_token: 1e-6 }
              GPT-4o: { input_cost_per_token: 2e-6 }
            """);

        AssertProblem(errors, "model_prices.GPT-4o", "more than once");
    }

    [Fact]
    public void A_general_setting_neither_tollgate_nor_litellm_knows_is_warned_about_with_the_nearest_name()
    {
        var config = Load("""
            general_settings:
              master_kye: sk-typo
              max_request_size: 10
              store_model_in_db: true
              max_request_size_mb: 20
            """);

        Assert.Equal(
            [
                "general_settings.master_kye: neither a Tollgate nor a LiteLLM setting, so it is ignored; did you mean 'master_key'?",
                "general_settings.max_request_size: neither a Tollgate nor a LiteLLM setting, so it is ignored; did you mean 'max_request_size_mb'?",
            ],
            config.Warnings);
    }

    [Fact]
    public void An_unknown_provider_field_names_the_nearest_one()
    {
        AssertProblem(Problems("pass_through_providers: { openai: { api_kye: sk-x } }"), "pass_through_providers.openai.api_kye", "did you mean 'api_key'?");
    }

    [Fact]
    public void An_unknown_endpoint_field_names_the_nearest_endpoint_field()
    {
        var errors = Problems("""
            general_settings:
              pass_through_endpoints:
                - { path: /mine, target: "http://127.0.0.1:9/x", forward_header: true }
            """);

        AssertProblem(errors, "general_settings.pass_through_endpoints[0].forward_header", "did you mean 'forward_headers'?");
    }

    [Theory]
    [InlineData("master_key", "master_key", 0)]
    [InlineData("master_kye", "master_key", 2)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Edit_distance_counts_single_character_changes(string a, string b, int distance) =>
        Assert.Equal(distance, SettingNames.EditDistance(a, b));

    [Fact]
    public void The_buffered_request_budget_defaults_to_256_mib_or_the_largest_body()
    {
        Assert.Equal(256, Load("").General.MaxBufferedRequestMb);
        Assert.Equal(500, Load("general_settings: { max_request_size_mb: 500 }").General.MaxBufferedRequestMb);
        Assert.Equal(64, Load("general_settings: { max_request_size_mb: 8, max_buffered_request_mb: 64 }").General.MaxBufferedRequestMb);
        AssertProblem(Problems("general_settings: { max_request_size_mb: 8, max_buffered_request_mb: 4 }"), "general_settings.max_buffered_request_mb", "at least max_request_size_mb");
    }

    [Fact]
    public void Websocket_origins_are_star_or_scheme_and_host_without_a_path()
    {
        var config = Load("""general_settings: { allowed_websocket_origins: ["https://app.example.com", "http://localhost:3000", "*"] }""");
        var errors = Problems("""general_settings: { allowed_websocket_origins: ["https://app.example.com/", "app.example.com"] }""");

        Assert.Equal(["https://app.example.com", "http://localhost:3000", "*"], config.General.AllowedWebSocketOrigins);
        Assert.Equal(2, errors.Count(e => e.StartsWith("general_settings.allowed_websocket_origins[", StringComparison.Ordinal)));
    }
}
