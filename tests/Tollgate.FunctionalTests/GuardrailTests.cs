using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;
using Tollgate.Telemetry;

namespace Tollgate.FunctionalTests;

/// <summary>
/// Guardrails through the real gateway (contract section 7): blocks, masks and webhook verdicts on the
/// OpenAI, Anthropic and Vertex AI routes and on a custom endpoint, each checked against what the fake
/// provider received (byte for byte, with its Content-Length) and the call's spend-log row.
/// </summary>
public sealed class GuardrailTests
{
    private const string SecondKey = "sk-virtual-test-fail-open-0003";
    private const string Secret = "sk-proj-abc123def456ghi789jkl012";
    private const string TinyPng = "iVBORw0KGgo=";

    public static TheoryData<string> Routes => ["openai", "anthropic", "vertex_ai", "custom"];

    /// <summary>Defines every guardrail the tests use; <c>moderation</c> fails closed, <c>moderation-open</c> fails open.</summary>
    private static string GuardrailsYaml(FakeGuardrailWebhook webhook) =>
        $$"""
        guardrails:
          - { name: codenames, kind: keywords, keywords: ["project falcon"] }
          - { name: no-secrets, kind: pii, entities: [secret] }
          - { name: mask-pii, kind: pii, entities: [email, phone, card], action: mask }
          - { name: moderation, kind: webhook, url: "{{webhook.Url}}", timeout_ms: 300, headers: { Authorization: "Bearer webhook-token" } }
          - { name: moderation-open, kind: webhook, url: "{{webhook.Url}}", timeout_ms: 300, on_error: fail_open }
        """;

    private const string RouteGuardrails = "[codenames, no-secrets, mask-pii, moderation]";

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Blocks_masks_and_webhook_verdicts_apply_on_the_route(string route)
    {
        await using var webhook = await FakeGuardrailWebhook.StartAsync().DefaultTimeout();
        await using var target = await GuardedRoute.StartAsync(route, webhook).DefaultTimeout();
        var gateway = target.Gateway;
        await gateway.GenerateKeyAsync($$"""{"key":"{{SecondKey}}","guardrails":["moderation-open"]}""").DefaultTimeout();

        // Clean text: forwarded byte for byte; the webhook saw the texts (and only texts).
        var clean = await target.SendAsync("Hello there, how are you?");
        Assert.Equal(HttpStatusCode.OK, clean.Status);
        Assert.Equal(target.Body("Hello there, how are you?"), target.Upstream.LastRequest.BodyText);
        Assert.Contains("Hello there, how are you?", webhook.LastTexts("moderation"));
        Assert.DoesNotContain(webhook.LastTexts("moderation"), t => t.Contains(TinyPng, StringComparison.Ordinal));
        Assert.Equal("Bearer webhook-token", webhook.Calls.Last().Authorization);
        Assert.Equal(clean.CallId, webhook.Calls.Last().CallId);

        // A keyword blocks, naming the guardrail and the category, not the text.
        var forwarded = target.Upstream.Requests.Count;
        var codename = await target.SendAsync("Tell me everything about Project  Falcon.");
        AssertRefused(codename, HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'codenames': keyword");
        Assert.DoesNotContain("Falcon", codename.Body, StringComparison.OrdinalIgnoreCase);

        // A secret blocks without being echoed anywhere.
        var secret = await target.SendAsync($"my key is {Secret}, keep it safe");
        AssertRefused(secret, HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'no-secrets': secret");
        Assert.DoesNotContain(Secret, secret.Body, StringComparison.Ordinal);
        Assert.Equal(forwarded, target.Upstream.Requests.Count);

        // PII is masked: only the matched spans change, the JSON stays valid, Content-Length is exact, and the
        // webhook (which runs after local masks) never sees the address.
        const string Personal = "Mail ann@example.com or call +1 415 555 2671 today";
        var masked = await target.SendAsync(Personal);
        Assert.Equal(HttpStatusCode.OK, masked.Status);
        var seen = target.Upstream.LastRequest;
        Assert.Equal(target.Body("Mail [EMAIL] or call [PHONE] today"), seen.BodyText);
        Assert.Equal(seen.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), seen.Header("Content-Length"));
        Assert.Null(seen.Header("Transfer-Encoding"));
        using (JsonDocument.Parse(seen.Body))
        {
        }

        Assert.Contains("Mail [EMAIL] or call [PHONE] today", webhook.LastTexts("moderation"));
        Assert.DoesNotContain(webhook.Calls, c => c.Texts.Any(t => t.Contains("ann@example.com", StringComparison.Ordinal)));

        // The webhook blocks, with its own category.
        webhook.Answer = (name, texts) => (200, """{"action":"block","category":"toxicity"}""", TimeSpan.Zero);
        AssertRefused(await target.SendAsync("Hello again"), HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'moderation': toxicity");

        // The webhook masks: its texts replace the ones sent, one for one.
        webhook.Answer = (name, texts) => (200, JsonSerializer.Serialize(new { action = "mask", texts = texts.Select(t => t.Replace("Hello", "Hi", StringComparison.Ordinal)) }), TimeSpan.Zero);
        var rewritten = await target.SendAsync("Hello again");
        Assert.Equal(HttpStatusCode.OK, rewritten.Status);
        Assert.Equal(target.Body("Hi again"), target.Upstream.LastRequest.BodyText);

        // The webhook is too slow: fail_closed refuses within its timeout...
        forwarded = target.Upstream.Requests.Count;
        webhook.Answer = (name, texts) => (200, """{"action":"allow"}""", TimeSpan.FromSeconds(20));
        var slow = await target.SendAsync("Hello once more");
        AssertRefused(slow, HttpStatusCode.ServiceUnavailable, "guardrail_unavailable", "Guardrail 'moderation' could not decide (it did not finish within 300 ms)");
        Assert.Equal(forwarded, target.Upstream.Requests.Count);

        // ...and fail_open (the second key's guardrail) forwards unchanged.
        webhook.Answer = (name, texts) => name == "moderation-open"
            ? (200, """{"action":"block"}""", TimeSpan.FromSeconds(20))
            : (200, """{"action":"allow"}""", TimeSpan.Zero);
        var open = await target.SendAsync("Hello once more", SecondKey);
        Assert.Equal(HttpStatusCode.OK, open.Status);
        Assert.Equal(target.Body("Hello once more"), target.Upstream.LastRequest.BodyText);

        // Each decision is on the call's spend-log row; matched text never is.
        var maskedRow = await GuardrailTestRows.SpendRowAsync(gateway, masked.CallId);
        Assert.Equal(
            ["codenames:allow", "no-secrets:allow", "mask-pii:mask:email:1", "mask-pii:mask:phone:1", "moderation:allow"],
            GuardrailTestRows.Decisions(maskedRow));
        Assert.DoesNotContain("ann@example.com", maskedRow.GetRawText(), StringComparison.Ordinal);
        var secretRow = await GuardrailTestRows.SpendRowAsync(gateway, secret.CallId);
        Assert.Equal(["codenames:allow", "no-secrets:block:secret:1"], GuardrailTestRows.Decisions(secretRow));
        Assert.Equal("guardrail_violation", secretRow.GetProperty("metadata").GetProperty("error_type").GetString());
        Assert.DoesNotContain(Secret, secretRow.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("moderation:fail_closed:timeout", GuardrailTestRows.Decisions(await GuardrailTestRows.SpendRowAsync(gateway, slow.CallId)));
        Assert.Contains("moderation-open:fail_open:timeout", GuardrailTestRows.Decisions(await GuardrailTestRows.SpendRowAsync(gateway, open.CallId)));
        Assert.DoesNotContain(Secret, gateway.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@example.com", gateway.Logs.AllText, StringComparison.Ordinal);
    }

    /// <summary>A way to write "project falcon" that reads the same to a person and a model (JSON escapes included: the text goes into a JSON string as is).</summary>
    private static readonly Gen<string> Codename = Gen.Select(
        Gen.OneOf("project", "Project", "PROJECT", "pr\u043Eject", "proj\u200Bect", "pro\u00ADject", "\uFF50\uFF52\uFF4F\uFF4A\uFF45\uFF43\uFF54", "proj\\u0065ct", "\\u0070roject"),
        Gen.OneOf(" ", "  ", "-", "_", "\\n", "\u00A0", "\u3000", " \u200B ", "\\u0020", "\u2011"),
        Gen.OneOf("falcon", "FALCON", "f\u0430lcon", "falc\u00F3n", "falco\u0301n", "\uFF46alcon", "fal\\u0063on", "f\\u0061lcon", "\U0001D41F\U0001D41A\U0001D425\U0001D41C\U0001D428\U0001D427"),
        (first, separator, second) => first + separator + second);

    private static readonly Gen<string> Prose = Gen.OneOf("Hello there. ", "a", "Numbers 12 and 34. ", "\u041F\u0440\u0438\u0432\u0435\u0442. ", "caf\u00E9 ", "\\\"quoted\\\" ").Array[0, 12].Select(string.Concat);

    /// <summary>Filler before the phrase, some long enough to carry it across the 100,000th character (issue 13, defect 1).</summary>
    private static readonly Gen<string> Padding = Gen.OneOf(0, 10, 99_990, 199_986).Select(n => n == 0 ? "" : new string('a', n) + " ");

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_planted_codename_is_blocked_however_it_is_written_and_wherever_it_stands_and_clean_text_arrives_as_sent(string route)
    {
        await using var webhook = await FakeGuardrailWebhook.StartAsync().DefaultTimeout();
        await using var target = await GuardedRoute.StartAsync(route, webhook).DefaultTimeout();
        var forwarded = target.Upstream.Requests.Count;

        await Gen.Select(Padding, Prose, Codename, Prose).SampleAsync(async (padding, before, codename, after) =>
        {
            var sent = await target.SendAsync(padding + before + " " + codename + ". " + after);
            AssertRefused(sent, HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'codenames': keyword");
        }, iter: 40, threads: 1);
        Assert.Equal(forwarded, target.Upstream.Requests.Count);

        await Gen.Select(Prose, Prose).SampleAsync(async (first, second) =>
        {
            var text = first + "project " + second + "falcons";
            var sent = await target.SendAsync(text);
            Assert.Equal(HttpStatusCode.OK, sent.Status);
            Assert.Equal(target.Body(text), target.Upstream.LastRequest.BodyText);
        }, iter: 20, threads: 1);
    }

    /// <summary>Personal data however written (JSON escapes included, as the text goes into a JSON string as is), and its mask.</summary>
    private static readonly Gen<(string Text, string Mask)> PersonalData = Gen.OneOf(
        Gen.OneOf("ann@example.com", "ann\\u0040example.com", "ann\uFF20example.com", "\\\"ann lee\\\"@example.com", "ivan@example.xn--p1ai").Select(e => (e, "[EMAIL]")),
        Gen.OneOf("4111 1111 1111 1111", "4111.1111.1111.1111", "4111/1111/1111/1111", "4111\u00A01111\u00A01111\u00A01111", "\uFF14\uFF11\uFF11\uFF11 1111 1111 1111",
            "4111-1111-1111-1111", "4111\u200B1111\u200B1111\u200B1111", "4111  1111  1111  1111").Select(c => (c, "[CARD]")),
        Gen.OneOf("+44 20 7946 0958", "+44\u201120\u20117946\u20110958", "(415) 555-2671", "+44\u221220\u22127946\u22120958").Select(p => (p, "[PHONE]")));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Planted_personal_data_never_reaches_the_provider_however_it_is_written(string route)
    {
        await using var webhook = await FakeGuardrailWebhook.StartAsync().DefaultTimeout();
        await using var target = await GuardedRoute.StartAsync(route, webhook).DefaultTimeout();

        await Gen.Select(Prose, PersonalData, Prose).SampleAsync(async (before, personal, after) =>
        {
            var sent = await target.SendAsync(before + " " + personal.Text + ". " + after);
            Assert.Equal(HttpStatusCode.OK, sent.Status);
            using var forwarded = JsonDocument.Parse(target.Upstream.LastRequest.Body);
            var strings = string.Join("\n", Strings(forwarded.RootElement));
            Assert.DoesNotContain(JsonSerializer.Deserialize<string>("\"" + personal.Text + "\"")!, strings, StringComparison.Ordinal);
            Assert.Contains(personal.Mask, strings, StringComparison.Ordinal);
        }, iter: 30, threads: 1);
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    [Fact]
    public async Task An_operation_whose_text_fields_are_unknown_is_refused_unless_its_guardrails_forward_it()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}")).DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            guardrails:
              - { name: codenames, kind: keywords, keywords: ["project falcon"] }
              - { name: codenames-lenient, kind: keywords, keywords: ["project falcon"], on_unknown_shape: forward }
            pass_through_providers:
              openai: { api_key: sk-real, api_base: "{{upstream.Origin}}" }
            """).DefaultTimeout();
        var strict = (await gateway.GenerateKeyAsync("""{"guardrails":["codenames"]}""")).GetProperty("key").GetString()!;
        var lenient = (await gateway.GenerateKeyAsync("""{"guardrails":["codenames-lenient"]}""")).GetProperty("key").GetString()!;
        const string Eval = """{"name":"e","testing_criteria":[{"type":"label_model","input":[{"role":"developer","content":"all about project falcon"}]}]}""";

        var refused = await SendAsync(gateway, "openai/v1/evals", Eval, strict);
        var forwarded = await SendAsync(gateway, "openai/v1/evals", Eval, lenient);
        using var listed = await gateway.Client.SendAsync(gateway.Request(HttpMethod.Get, "openai/v1/evals", strict)).DefaultTimeout();
        var threadMessage = await SendAsync(gateway, "openai/v1/threads/thread_1/messages", """{"role":"user","content":"project falcon"}""", strict);

        AssertRefused(refused, HttpStatusCode.BadRequest, "invalid_request_error", "does not know where /openai/v1/evals holds the text a model reads");
        Assert.True(forwarded.Status == HttpStatusCode.OK, forwarded.Body);
        Assert.Equal(["codenames-lenient:skip:unknown_shape"], GuardrailTestRows.Decisions(await GuardrailTestRows.SpendRowAsync(gateway, forwarded.CallId)));
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        AssertRefused(threadMessage, HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'codenames'");
        Assert.Equal(["/v1/evals", "/v1/evals"], upstream.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Webhook_answers_that_cannot_be_obeyed_fail_closed()
    {
        await using var webhook = await FakeGuardrailWebhook.StartAsync().DefaultTimeout();
        await using var target = await GuardedRoute.StartAsync("openai", webhook).DefaultTimeout();

        foreach (var (status, answer, reason) in new[]
        {
            (200, """{"action":"mask","texts":["only one"]}""", "answer was not"),
            (200, """{"verdict":"fine"}""", "answer was not"),
            (200, "not json", "answer was not"),
            (500, """{"action":"allow"}""", "its webhook answered HTTP 500"),
        })
        {
            webhook.Answer = (_, _) => (status, answer, TimeSpan.Zero);
            AssertRefused(await target.SendAsync("Hello"), HttpStatusCode.ServiceUnavailable, "guardrail_unavailable", reason);
        }

        Assert.Empty(target.Upstream.Requests);
    }

    [Fact]
    public async Task Request_fields_limit_a_guardrail_to_those_paths_on_a_custom_endpoint()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("""{"results":[]}""")).DefaultTimeout();
        await using var webhook = await FakeGuardrailWebhook.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            GuardrailsYaml(webhook),
            general: $$"""
                pass_through_endpoints:
                  - path: /rerank
                    target: "{{upstream.Origin}}/v1/rerank"
                    auth: true
                    guardrails:
                      mask-pii: { request_fields: ["documents[*].text"] }
                      moderation: { request_fields: [query] }
                      codenames:
              """).DefaultTimeout();
        const string Body = """{"model":"rerank-v3.5","query":"who is bob@example.com","documents":[{"id":"bob@example.com","text":"Reach bob@example.com"},{"text":"card 4111 1111 1111 1111"}]}""";

        var response = await SendAsync(gateway, "rerank", Body);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(
            """{"model":"rerank-v3.5","query":"who is bob@example.com","documents":[{"id":"bob@example.com","text":"Reach [EMAIL]"},{"text":"card [CARD]"}]}""",
            upstream.LastRequest.BodyText);
        Assert.Equal(["who is bob@example.com"], webhook.LastTexts("moderation"));

        // Without fields, a custom endpoint's guardrail reads every string in the body.
        var blocked = await SendAsync(gateway, "rerank", """{"query":"q","documents":[{"meta":{"note":"project falcon"}}]}""");
        AssertRefused(blocked, HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'codenames': keyword");
    }

    [Fact]
    public async Task A_masked_bedrock_converse_body_is_signed_as_sent()
    {
        await using var bedrock = await FakeBedrock.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"""
            guardrails:
              - {"{"} name: mask-pii, kind: pii, action: mask {"}"}
            pass_through_providers:
              {FakeBedrock.ProviderEntry(bedrock.Origin, "guardrails: [mask-pii]")}
            """).DefaultTimeout();
        const string Body = """{"messages":[{"role":"user","content":[{"text":"My SSN is 123-45-6789"},{"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}]}],"system":[{"text":"Reply to ann@example.com"}],"inferenceConfig":{"maxTokens":16}}""";

        var response = await SendAsync(gateway, "bedrock/model/anthropic.claude-3-5-haiku-20241022-v1:0/converse", Body);

        Assert.True(response.Status == HttpStatusCode.OK, string.Join("\n", bedrock.Rejections) + response.Body);
        Assert.Equal(FakeBedrock.ConverseJson, response.Body);
        Assert.Equal(
            """{"messages":[{"role":"user","content":[{"text":"My SSN is [SSN]"},{"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}}]}],"system":[{"text":"Reply to [EMAIL]"}],"inferenceConfig":{"maxTokens":16}}""",
            bedrock.Upstream.LastRequest.BodyText);
        Assert.StartsWith("AWS4-HMAC-SHA256 ", bedrock.Upstream.LastRequest.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_keys_guardrails_apply_on_a_route_without_any()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeOpenAi.HandleAsync).DefaultTimeout();
        await using var webhook = await FakeGuardrailWebhook.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            GuardrailsYaml(webhook) + "\n" + $$"""
            pass_through_providers:
              openai: { api_key: {{FakeOpenAi.ApiKey}}, api_base: "{{upstream.Origin}}" }
            """).DefaultTimeout();
        var guarded = (await gateway.GenerateKeyAsync("""{"guardrails":["mask-pii","codenames"]}""")).GetProperty("key").GetString()!;
        var body = ChatBody("write to ann@example.com");

        var plain = await SendAsync(gateway, "openai/v1/chat/completions", body);
        var masked = await SendAsync(gateway, "openai/v1/chat/completions", body, guarded);
        var blocked = await SendAsync(gateway, "openai/v1/chat/completions", ChatBody("project falcon"), guarded);

        Assert.Equal(HttpStatusCode.OK, plain.Status);
        Assert.Equal(HttpStatusCode.OK, masked.Status);
        Assert.Equal([body, ChatBody("write to [EMAIL]")], upstream.Requests.Select(r => r.BodyText));
        AssertRefused(blocked, HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'codenames': keyword");
        Assert.Equal(["codenames:allow", "mask-pii:mask:email:1"], GuardrailTestRows.Decisions(await GuardrailTestRows.SpendRowAsync(gateway, masked.CallId)));
        Assert.Equal(JsonValueKind.Undefined, (await GuardrailTestRows.SpendRowAsync(gateway, plain.CallId)).GetProperty("metadata").TryGetProperty("guardrails", out var none) ? none.ValueKind : JsonValueKind.Undefined);
    }

    [Fact]
    public async Task A_key_may_only_name_guardrails_the_config_defines()
    {
        await using var webhook = await FakeGuardrailWebhook.StartAsync().DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(GuardrailsYaml(webhook)).DefaultTimeout();

        using var request = gateway.Request(HttpMethod.Post, "key/generate", GatewayTestEnvironment.MasterKey);
        request.Content = new StringContent("""{"guardrails":["mask-pii","nonexistent"]}""", Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();
        var answer = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("guardrails: unknown guardrail 'nonexistent'", answer, StringComparison.Ordinal);
        var updated = await gateway.Client.SendAsync(JsonRequest(gateway, "key/update", $$"""{"key":"{{GatewayTestEnvironment.VirtualKey}}","guardrails":["ghost"]}""")).DefaultTimeout();
        Assert.Equal(HttpStatusCode.BadRequest, updated.StatusCode);
    }

    [Fact]
    public async Task A_hostile_regex_input_finishes_within_its_time_limit()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}")).DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            """
            guardrails:
              - { name: linear, kind: regex, patterns: ["(a+)+$"], timeout_ms: 200 }
              - { name: backtracking, kind: regex, patterns: ["^(a+)+(?=c)"], timeout_ms: 200 }
              - { name: backtracking-open, kind: regex, patterns: ["^(a+)+(?=c)"], timeout_ms: 200, on_error: fail_open }
            """,
            general: $$"""
                pass_through_endpoints:
                  - { path: /linear, target: "{{upstream.Origin}}/a", guardrails: [linear] }
                  - { path: /backtracking, target: "{{upstream.Origin}}/b", guardrails: [backtracking] }
                  - { path: /backtracking-open, target: "{{upstream.Origin}}/c", guardrails: [backtracking-open] }
              """).DefaultTimeout();
        var hostile = $$"""{"input":"{{new string('a', 50_000)}}b"}""";

        var linear = await SendAsync(gateway, "linear", hostile, key: null);
        var backtracking = await SendAsync(gateway, "backtracking", hostile, key: null);
        var open = await SendAsync(gateway, "backtracking-open", hostile, key: null);

        // The non-backtracking engine answers "no match" (its time: HostileInputBenchmarks); the fallback engine,
        // exponential here, is stopped by the limit.
        Assert.Equal(HttpStatusCode.OK, linear.Status);
        AssertRefused(backtracking, HttpStatusCode.ServiceUnavailable, "guardrail_unavailable", "Guardrail 'backtracking' could not decide (it did not finish within 200 ms)");
        Assert.Equal(HttpStatusCode.OK, open.Status);
        Assert.Equal(["/a", "/c"], upstream.Requests.Select(r => r.Path));
        Assert.Contains(gateway.Logs.Entries, l => l.EventId == EventIds.GuardrailPatternBacktracks && l.Message.Contains("backtracking", StringComparison.Ordinal));
    }

    private static Task<GatewayTestEnvironment> UploadGatewayAsync(FakeUpstream upstream) =>
        GatewayTestEnvironment.StartWithKeysAsync(
            """
            guardrails:
              - { name: mask-pii, kind: pii, action: mask }
              - { name: codenames, kind: keywords, keywords: ["project falcon"] }
            """,
            general: $$"""
                pass_through_endpoints:
                  - { path: /upload, target: "{{upstream.Origin}}/upload", guardrails: [mask-pii, codenames] }
              """);

    private static async Task<Sent> PostBytesAsync(GatewayTestEnvironment gateway, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return await Sent.FromAsync(await gateway.Client.PostAsync("upload", content).DefaultTimeout());
    }

    [Fact]
    public async Task A_forms_text_parts_are_examined_and_masked_in_place_and_its_binary_files_pass_as_they_came()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}")).DefaultTimeout();
        await using var gateway = await UploadGatewayAsync(upstream).DefaultTimeout();
        byte[] audio = [0xFF, 0xFB, 0x90, 0x00, 0x61, 0x6E, 0x6E, 0x40];
        using var form = new MultipartFormDataContent("tollgate-boundary")
        {
            { new StringContent("mail ann@example.com"), "note" },
            { new ByteArrayContent(audio), "file", "a.mp3" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("{\"custom_id\":\"1\",\"body\":\"call +44 20 7946 0958\"}\n")), "batch", "batch.jsonl" },
        };
        var formBytes = await form.ReadAsByteArrayAsync().DefaultTimeout();

        var sent = await PostBytesAsync(gateway, formBytes, form.Headers.ContentType!.ToString());

        Assert.Equal(HttpStatusCode.OK, sent.Status);
        var expected = Encoding.Latin1.GetString(formBytes)
            .Replace("ann@example.com", "[EMAIL]", StringComparison.Ordinal)
            .Replace("+44 20 7946 0958", "[PHONE]", StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.Latin1.GetString(Assert.Single(upstream.Requests).Body));
        Assert.Equal(
            ["codenames:allow", "codenames:skip:binary_part:1", "mask-pii:mask:email:1", "mask-pii:mask:phone:1", "mask-pii:skip:binary_part:1"],
            GuardrailTestRows.Decisions(await GuardrailTestRows.SpendRowAsync(gateway, sent.CallId)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_blocked_phrase_in_a_forms_text_field_or_text_file_is_blocked()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}")).DefaultTimeout();
        await using var gateway = await UploadGatewayAsync(upstream).DefaultTimeout();

        foreach (var (name, fileName) in new[] { ("prompt", (string?)null), ("file", "notes.txt") })
        {
            using var form = new MultipartFormDataContent("b0undary");
            var part = new StringContent("all about Project Falcon");
            if (fileName is null)
            {
                form.Add(part, name);
            }
            else
            {
                form.Add(part, name, fileName);
            }

            var sent = await PostBytesAsync(gateway, await form.ReadAsByteArrayAsync().DefaultTimeout(), form.Headers.ContentType!.ToString());
            AssertRefused(sent, HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'codenames'");
        }

        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task On_a_custom_endpoint_property_names_and_numbers_are_examined_too()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}")).DefaultTimeout();
        await using var gateway = await UploadGatewayAsync(upstream).DefaultTimeout();

        var masked = await PostBytesAsync(gateway, """{"contacts":{"ann@example.com":1},"card":4111111111111111}"""u8.ToArray(), "application/json");
        var blocked = await PostBytesAsync(gateway, """{"project falcon":true}"""u8.ToArray(), "application/json");

        Assert.Equal(HttpStatusCode.OK, masked.Status);
        Assert.Equal("""{"contacts":{"[EMAIL]":1},"card":"[CARD]"}""", Assert.Single(upstream.Requests).BodyText);
        AssertRefused(blocked, HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'codenames'");
    }

    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("image/png")]
    [InlineData("audio/wav")]
    [InlineData("video/mp4")]
    [InlineData("text/plain")]
    public async Task A_json_body_is_examined_whatever_content_type_the_client_gives_it(string contentType)
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}")).DefaultTimeout();
        await using var gateway = await UploadGatewayAsync(upstream).DefaultTimeout();

        var sent = await PostBytesAsync(gateway, Encoding.UTF8.GetBytes(ChatBody("tell me about project falcon")), contentType);

        AssertRefused(sent, HttpStatusCode.BadRequest, "guardrail_violation", "Blocked by guardrail 'codenames'");
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nproject falcon\r\n--x--\r\n", "boundary is missing")]
    [InlineData("multipart/mixed", "project falcon", "boundary is missing")]
    [InlineData("multipart/form-data; boundary=x; boundary=y", "--y\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nproject falcon\r\n--y--\r\n", "boundary is missing")]
    [InlineData("multipart/form-data; boundary=x", "--x\nContent-Disposition: form-data; name=\"p\"\n\nproject falcon\n--x--\n", "does not end in CRLF")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\n\u0000\u0001\n--x\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nproject falcon\r\n--x--\r\n", "boundary occurs inside a part")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"p\"\r\nContent-Transfer-Encoding: base64\r\n\r\ncHJvamVjdCBmYWxjb24=\r\n--x--\r\n", "headers are not")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"p\"\r\nContent-Type: text/plain; charset=utf-16\r\n\r\nabc\r\n--x--\r\n", "headers are not")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nproject falcon\r\n--x", "closing delimiter")]
    public async Task A_form_that_could_read_differently_to_another_parser_is_refused(string contentType, string body, string problem)
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}")).DefaultTimeout();
        await using var gateway = await UploadGatewayAsync(upstream).DefaultTimeout();

        var sent = await PostBytesAsync(gateway, Encoding.Latin1.GetBytes(body), contentType);

        AssertRefused(sent, HttpStatusCode.BadRequest, "invalid_request_error", problem);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task A_binary_upload_passes_unread_and_the_skip_is_recorded_and_other_bodies_that_are_not_json_are_refused()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}")).DefaultTimeout();
        await using var gateway = await UploadGatewayAsync(upstream).DefaultTimeout();
        byte[] audio = [0x49, 0x44, 0x33, 0x04, 0x00, 0x61, 0x6E, 0x6E];

        var binary = await PostBytesAsync(gateway, audio, "audio/mpeg");
        var notJson = await SendAsync(gateway, "upload", "mail ann@example.com", key: null);
        using var gzip = new HttpRequestMessage(HttpMethod.Post, "upload") { Content = new ByteArrayContent([0x1f, 0x8b, 0, 0]) };
        gzip.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        gzip.Content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");
        using var compressed = await gateway.Client.SendAsync(gzip).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, binary.Status);
        Assert.Equal(audio, Assert.Single(upstream.Requests).Body);
        Assert.Equal(["codenames:skip:audio/mpeg", "mask-pii:skip:audio/mpeg"], GuardrailTestRows.Decisions(await GuardrailTestRows.SpendRowAsync(gateway, binary.CallId)).Order(StringComparer.Ordinal));
        AssertRefused(notJson, HttpStatusCode.BadRequest, "invalid_request_error", "not valid JSON");
        Assert.Equal(HttpStatusCode.BadRequest, compressed.StatusCode);
        Assert.Contains("Content-Encoding: gzip", await compressed.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Without_guardrails_an_upload_streams_to_the_provider_and_with_them_it_is_read_first()
    {
        var arrivals = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var firstBytesUpstream = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(
            async context =>
            {
                arrivals.Enqueue(context.Request.Path.Value!);
                using var received = new MemoryStream();
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    received.Write(buffer, 0, read);
                    firstBytesUpstream.TrySetResult();
                }

                await context.Response.WriteAsync(Encoding.UTF8.GetString(received.ToArray()));
            },
            recordBody: false).DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            "guardrails: [{ name: mask-pii, kind: pii, action: mask }]",
            general: $$"""
                pass_through_endpoints:
                  - { path: /open, target: "{{upstream.Origin}}/open" }
                  - { path: /guarded, target: "{{upstream.Origin}}/guarded", guardrails: [mask-pii] }
              """).DefaultTimeout();

        // Unguarded: the client sends the rest only once the provider holds the first part, which it can
        // only do if the gateway forwards the body as it comes instead of reading it first. (The first part
        // is larger than the HTTP/1.1 client's write buffer, so the gateway's copy cannot sit on it.)
        using (var response = await gateway.Client.PostAsync("open", new TwoPartContent(firstBytesUpstream.Task)).DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(TwoPartContent.Whole, await response.Content.ReadAsStringAsync().DefaultTimeout());
        }

        // Guarded: nothing reaches the provider until the whole body is in and checked. The gateway holds the first
        // part (its buffered-bytes gauge says so) while the second waits on the gate.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var guarded = gateway.Client.PostAsync("guarded", new TwoPartContent(gate.Task));
        await gateway.MetricsWhenAsync(metrics => GatewayTestEnvironment.MetricValue(metrics, "tollgate_buffered_request_bytes") > 0);
        Assert.DoesNotContain("/guarded", arrivals);
        gate.SetResult();
        using (var response = await guarded.DefaultTimeout())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(TwoPartContent.Whole, await response.Content.ReadAsStringAsync().DefaultTimeout());
        }
    }

    private static string ChatBody(string text) =>
        $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{text}}"}]}""";

    private static void AssertRefused(Sent sent, HttpStatusCode status, string type, string messageContains)
    {
        Assert.True(sent.Status == status, $"expected {(int)status}, got {(int)sent.Status}: {sent.Body}");
        using var document = JsonDocument.Parse(sent.Body);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Contains(messageContains, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage JsonRequest(GatewayTestEnvironment gateway, string path, string json, string key = GatewayTestEnvironment.MasterKey)
    {
        var request = gateway.Request(HttpMethod.Post, path, key);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    private static async Task<Sent> SendAsync(GatewayTestEnvironment gateway, string path, string body, string? key = GatewayTestEnvironment.VirtualKey)
    {
        using var request = gateway.Request(HttpMethod.Post, path, key);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return await Sent.FromAsync(await gateway.Client.SendAsync(request).DefaultTimeout());
    }

    /// <summary>A response read whole.</summary>
    private sealed record Sent(HttpStatusCode Status, string Body, string CallId)
    {
        public static async Task<Sent> FromAsync(HttpResponseMessage response)
        {
            using (response)
            {
                return new Sent(response.StatusCode, await response.Content.ReadAsStringAsync().DefaultTimeout(), response.Headers.GetValues("x-litellm-call-id").Single());
            }
        }
    }

    /// <summary>A chunked JSON body: a first part, then the rest once <paramref name="gate"/> completes.</summary>
    private sealed class TwoPartContent(Task gate) : HttpContent
    {
        private static readonly string First = """{"input":"first part""" + new string(' ', 256 * 1024);

        public static string Whole { get; } = First + """ and the rest"}""";

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(First));
            await stream.FlushAsync();
            await gate.WaitAsync(TimeSpan.FromSeconds(10));
            await stream.WriteAsync(Encoding.UTF8.GetBytes(Whole[First.Length..]));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>One guarded route (a provider route or a custom endpoint) with its fake provider, and how to call it.</summary>
    private sealed class GuardedRoute : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _owned = [];
        private string _path = "";
        private Func<string, string> _body = t => t;
        private Action<HttpRequestMessage> _decorate = _ => { };

        public GatewayTestEnvironment Gateway { get; private set; } = null!;

        public FakeUpstream Upstream { get; private set; } = null!;

        /// <summary>The request body this route's test sends for a text.</summary>
        public string Body(string text) => _body(text);

        public static async Task<GuardedRoute> StartAsync(string route, FakeGuardrailWebhook webhook)
        {
            var target = new GuardedRoute();
            var guardrails = GuardrailsYaml(webhook);
            switch (route)
            {
                case "openai":
                {
                    var upstream = await FakeUpstream.StartAsync(FakeOpenAi.HandleAsync);
                    target.Own(upstream);
                    target.Upstream = upstream;
                    target._path = "openai/v1/chat/completions";
                    target._body = t => $$$"""{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":[{"type":"text","text":"{{{t}}}"},{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{TinyPng}}}"}}]}]}""";
                    target.Gateway = await GatewayTestEnvironment.StartWithKeysAsync(guardrails + "\n" + $$"""
                        pass_through_providers:
                          openai: { api_key: {{FakeOpenAi.ApiKey}}, api_base: "{{upstream.Origin}}", guardrails: {{RouteGuardrails}} }
                        """);
                    break;
                }

                case "anthropic":
                {
                    var upstream = await FakeUpstream.StartAsync(FakeAnthropic.HandleAsync);
                    target.Own(upstream);
                    target.Upstream = upstream;
                    target._path = "anthropic/v1/messages";
                    target._body = t => $$$"""{"model":"claude-sonnet-4-5","max_tokens":16,"system":"Be brief.","messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{TinyPng}}}"}},{"type":"text","text":"{{{t}}}"}]}]}""";
                    target._decorate = r => r.Headers.Add("anthropic-version", "2023-06-01");
                    target.Gateway = await GatewayTestEnvironment.StartWithKeysAsync(guardrails + "\n" + $$"""
                        pass_through_providers:
                          anthropic: { api_key: {{FakeAnthropic.ApiKey}}, api_base: "{{upstream.Origin}}", guardrails: {{RouteGuardrails}} }
                        """);
                    break;
                }

                case "vertex_ai":
                {
                    var tokens = await FakeGoogleTokenServer.StartAsync();
                    target.Own(tokens);
                    var vertex = await FakeVertexAi.StartAsync(tokens);
                    target.Own(vertex);
                    target.Upstream = vertex.Upstream;
                    target._path = $"vertex_ai/v1/projects/{VertexAiGateway.Project}/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:generateContent";
                    target._body = t => $$$"""{"contents":[{"role":"user","parts":[{"text":"{{{t}}}"},{"inlineData":{"mimeType":"image/png","data":"{{{TinyPng}}}"}}]}],"generationConfig":{"maxOutputTokens":16}}""";
                    target.Gateway = await GatewayTestEnvironment.StartWithKeysAsync(guardrails + "\n" + $$"""
                        default_vertex_config:
                          vertex_project: {{VertexAiGateway.Project}}
                          vertex_location: us-central1
                          vertex_credentials: {{tokens.WriteServiceAccountFile()}}
                        pass_through_providers:
                          vertex_ai: { api_base: "{{vertex.Origin}}", guardrails: {{RouteGuardrails}} }
                        """);
                    break;
                }

                default:
                {
                    var upstream = await FakeUpstream.StartAsync(FakeCustomApi.HandleAsync);
                    target.Own(upstream);
                    target.Upstream = upstream;
                    target._path = "rerank";
                    target._body = t => $$"""{"model":"rerank-v3.5","query":"{{t}}","top_n":1}""";
                    target.Gateway = await GatewayTestEnvironment.StartWithKeysAsync(
                        guardrails,
                        general: $$"""
                            pass_through_endpoints:
                              - path: /rerank
                                target: "{{upstream.Origin}}/v1/public"
                                auth: true
                                guardrails: {{RouteGuardrails}}
                          """);
                    break;
                }
            }

            return target;
        }

        public async Task<Sent> SendAsync(string text, string key = GatewayTestEnvironment.VirtualKey)
        {
            using var request = Gateway.Request(HttpMethod.Post, _path, key);
            request.Content = new StringContent(_body(text), Encoding.UTF8, "application/json");
            _decorate(request);
            return await Sent.FromAsync(await Gateway.Client.SendAsync(request).DefaultTimeout());
        }

        public async ValueTask DisposeAsync()
        {
            if (Gateway is not null)
            {
                await Gateway.DisposeAsync();
            }

            for (var i = _owned.Count - 1; i >= 0; i--)
            {
                await _owned[i].DisposeAsync();
            }
        }

        private void Own(IAsyncDisposable disposable) => _owned.Add(disposable);
    }
}
