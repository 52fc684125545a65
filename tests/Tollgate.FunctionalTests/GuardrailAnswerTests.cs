using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>
/// post_call guardrails through the real gateway: the provider's non-streamed JSON answer is held, checked,
/// and sent masked (with its new Content-Length) or replaced by the refusal; streamed answers are refused
/// before the call; everything else passes as it came.
/// </summary>
public sealed class GuardrailAnswerTests
{
    private const string Usage = "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}";

    private static string Completion(string content) =>
        $$$"""{"id":"chatcmpl-9","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"{{{content}}}"},"finish_reason":"stop"}],{{{Usage}}}}""";

    /// <summary>An OpenAI-shaped provider that answers with <paramref name="answer"/>(request path, body).</summary>
    private static Task<FakeUpstream> ProviderAsync(Func<HttpContext, string, (int Status, string ContentType, string Body)> answer) =>
        FakeUpstream.StartAsync(async context =>
        {
            var request = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var (status, contentType, body) = answer(context, request);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        });

    private static Task<GatewayTestEnvironment> GatewayAsync(FakeUpstream upstream, FakeGuardrailWebhook? webhook = null, string attach = "[answer-pii, answer-codenames]") =>
        GatewayTestEnvironment.StartWithKeysAsync(
            $$"""
            guardrails:
              - { name: answer-pii, kind: pii, entities: [email, phone], action: mask, mode: post_call }
              - { name: answer-codenames, kind: keywords, keywords: ["project falcon"], mode: post_call }
              - { name: answer-review, kind: webhook, url: "{{webhook?.Url ?? "http://127.0.0.1:9/none"}}", timeout_ms: 5000, mode: post_call }
              - { name: request-pii, kind: pii, action: mask }
            pass_through_providers:
              openai: { api_key: {{FakeOpenAi.ApiKey}}, api_base: "{{upstream.Origin}}", guardrails: {{attach}} }
              gemini: { api_key: gemini-real-key, api_base: "{{upstream.Origin}}", guardrails: {{attach}} }
            """);

    [Fact]
    public async Task An_answer_is_masked_and_sent_with_its_new_length_and_metered()
    {
        await using var upstream = await ProviderAsync((_, _) => (200, "application/json", Completion("Write to ann@example.com or +44 20 7946 0958.")));
        await using var gateway = await GatewayAsync(upstream);

        using var response = await SendAsync(gateway, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Completion("Write to [EMAIL] or [PHONE]."), body);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        Assert.Null(upstream.LastRequest.Header("Accept-Encoding"));
        var row = await GuardrailTestRows.SpendRowAsync(gateway, CallId(response));
        Assert.Equal(["answer-codenames:allow", "answer-pii:mask:email:1", "answer-pii:mask:phone:1"], GuardrailTestRows.Decisions(row));
        Assert.Equal((9, 4), (row.GetProperty("prompt_tokens").GetInt32(), row.GetProperty("completion_tokens").GetInt32()));
        Assert.DoesNotContain("ann@example.com", row.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blocked_answer_is_withheld_but_its_tokens_are_still_counted()
    {
        await using var upstream = await ProviderAsync((_, _) => (200, "application/json", Completion("All about Project Falcon.")));
        await using var gateway = await GatewayAsync(upstream);

        using var response = await SendAsync(gateway, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Blocked by guardrail 'answer-codenames': keyword", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Falcon", body, StringComparison.Ordinal);
        var row = await GuardrailTestRows.SpendRowAsync(gateway, CallId(response));
        Assert.Equal(["answer-codenames:block:keyword:1"], GuardrailTestRows.Decisions(row));
        Assert.Equal(13, row.GetProperty("total_tokens").GetInt32());

        // gpt-4o-mini: 9 prompt tokens at $0.15 and 4 completion tokens at $0.60 per million.
        Assert.Equal(0.00000375m, row.GetProperty("spend").GetDecimal());
    }

    [Theory]
    [InlineData("openai/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}""", "application/json")]
    [InlineData("openai/v1/chat/completions", """{"stream" : true}""", "application/json")]
    [InlineData("openai/v1/chat/completions", """{"model":"gpt-4o-mini","stream":"true"}""", "application/json")]
    [InlineData("openai/v1/chat/completions", """{"model":"gpt-4o-mini","stream":false,"stream":true}""", "application/json")]
    [InlineData("openai/v1/chat/completions", """{"model":"gpt-4o-mini","Stream":1}""", "application/json")]
    [InlineData("openai/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true}""", "text/plain")]
    [InlineData("openai/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true}""", "application/octet-stream")]
    [InlineData("gemini/v1beta/models/gemini-2.0-flash:stream%47enerateContent", """{"contents":[]}""", "application/json")]
    [InlineData("gemini/v1beta/models/gemini-2.0-flash:STREAMGENERATECONTENT", """{"contents":[]}""", "application/json")]
    public async Task A_request_for_a_streamed_answer_is_refused_before_the_call(string path, string body, string contentType)
    {
        await using var upstream = await ProviderAsync((_, _) => (200, "application/json", Completion("x")));
        await using var gateway = await GatewayAsync(upstream);

        using var response = await SendAsync(gateway, body, path, contentType: contentType);
        var answer = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("checks answers (post_call) and cannot check a streamed one", answer, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task A_form_that_asks_for_a_streamed_transcription_is_refused_before_the_call()
    {
        await using var upstream = await ProviderAsync((_, _) => (200, "application/json", """{"text":"hi"}"""));
        await using var gateway = await GatewayAsync(upstream);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("whisper-1"), "model" },
            { new StringContent("true"), "stream" },
            { new ByteArrayContent([1, 2, 3]), "file", "a.mp3" },
        };

        using var request = gateway.Request(HttpMethod.Post, "openai/v1/audio/transcriptions");
        request.Content = form;
        using var response = await gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cannot check a streamed one", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    public static TheoryData<string> UndecidableBodies() =>
    [
        """{"model":"gpt-4o-mini" /* a comment */, "stream":true}""",
        """{"model":"gpt-4o-mini"} {"stream":true}""",
        "{\"deep\":" + new string('[', 600) + new string(']', 600) + ",\"stream\":true}",
    ];

    [Theory]
    [MemberData(nameof(UndecidableBodies))]
    public async Task A_body_whose_stream_flag_cannot_be_told_is_refused_before_the_call(string body)
    {
        await using var upstream = await ProviderAsync((_, _) => (200, "application/json", Completion("x")));
        await using var gateway = await GatewayAsync(upstream);

        using var response = await SendAsync(gateway, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cannot be told", await response.Content.ReadAsStringAsync().DefaultTimeout(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Deep_nesting_before_a_false_stream_flag_still_reaches_the_provider()
    {
        await using var upstream = await ProviderAsync((_, _) => (200, "application/json", Completion("x")));
        await using var gateway = await GatewayAsync(upstream);

        using var response = await SendAsync(gateway, "{\"deep\":" + new string('[', 100) + new string(']', 100) + ",\"stream\":false}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task An_answer_that_is_not_a_json_object_cannot_be_checked_and_fails_closed()
    {
        await using var upstream = await ProviderAsync((_, _) => (200, "application/json", "[" + Completion("Mail ann@example.com") + "]"));
        await using var gateway = await GatewayAsync(upstream);

        using var response = await SendAsync(gateway, """{"model":"gpt-4o-mini"}""");
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not decide (the answer is not a JSON object) and fails closed", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@example.com", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provider_errors_and_answers_that_are_not_json_pass_as_they_came()
    {
        await using var upstream = await ProviderAsync((context, _) => context.Request.Path == "/v1/audio/speech"
            ? (200, "audio/mpeg", "ID3 ann@example.com")
            : (429, "application/json", """{"error":{"message":"slow down, ann@example.com","type":"rate_limit"}}"""));
        await using var gateway = await GatewayAsync(upstream);

        using var limited = await SendAsync(gateway, "{}");
        using var speech = await SendAsync(gateway, """{"model":"tts-1","input":"hello"}""", "openai/v1/audio/speech");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("""{"error":{"message":"slow down, ann@example.com","type":"rate_limit"}}""", await limited.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(HttpStatusCode.OK, speech.StatusCode);
        Assert.Equal("ID3 ann@example.com", await speech.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(
            ["answer-codenames:skip:audio/mpeg", "answer-pii:skip:audio/mpeg"],
            GuardrailTestRows.Decisions(await GuardrailTestRows.SpendRowAsync(gateway, CallId(speech))));
    }

    [Fact]
    public async Task An_unasked_for_stream_cannot_be_checked_and_fails_closed()
    {
        await using var upstream = await ProviderAsync((_, _) => (200, "text/event-stream", "data: {\"choices\":[{\"delta\":{\"content\":\"ann@example.com\"}}]}\n\n"));
        await using var gateway = await GatewayAsync(upstream);

        using var response = await SendAsync(gateway, "{}");
        var body = await response.Content.ReadAsStringAsync().DefaultTimeout();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not decide (the answer was streamed) and fails closed; the provider's answer was withheld", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@example.com", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_checks_the_answer_after_the_request_guardrails()
    {
        await using var webhook = await FakeGuardrailWebhook.StartAsync().DefaultTimeout();
        await using var upstream = await ProviderAsync((_, request) => (200, "application/json", Completion(request.Contains("[EMAIL]", StringComparison.Ordinal) ? "masked request seen" : "raw request seen")));
        await using var gateway = await GatewayAsync(upstream, webhook, "[request-pii, answer-review]");
        webhook.Answer = (name, texts) => (200, JsonSerializer.Serialize(new { action = "mask", texts = texts.Select(t => t.ToUpperInvariant()) }), TimeSpan.Zero);

        using var response = await SendAsync(gateway, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"I am ann@example.com"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Completion("MASKED REQUEST SEEN"), await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(["masked request seen"], webhook.LastTexts("answer-review"));
        Assert.Equal(
            ["request-pii:mask:email:1", "answer-review:mask:webhook:1"],
            GuardrailTestRows.Decisions(await GuardrailTestRows.SpendRowAsync(gateway, CallId(response))));
    }

    [Fact]
    public async Task Checking_the_answer_counts_as_gateway_time()
    {
        await using var webhook = await FakeGuardrailWebhook.StartAsync().DefaultTimeout();
        await using var upstream = await ProviderAsync((_, _) => (200, "application/json", Completion("fine")));
        await using var gateway = await GatewayAsync(upstream, webhook, "[answer-review]");
        webhook.Answer = (_, _) => (200, """{"action":"allow"}""", TimeSpan.FromMilliseconds(300));

        using var response = await SendAsync(gateway, """{"model":"gpt-4o-mini","messages":[]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metrics = await gateway.MetricsWhenAsync("""tollgate_gateway_overhead_seconds_count{provider="openai"} 1""");
        // The webhook took 300 ms after the provider had answered: the gateway's time, not the provider's.
        Assert.InRange(GatewayTestEnvironment.MetricValue(metrics, """tollgate_gateway_overhead_seconds_sum{provider="openai"}"""), 0.29, 30);
    }

    [Fact]
    public async Task Response_fields_limit_an_answer_guardrail_on_a_custom_endpoint_and_keys_add_their_own()
    {
        const string Answer = """{"id":"r1","results":[{"index":0,"relevance_score":0.9,"text":"Reach bob@example.com"}],"meta":{"contact":"bob@example.com"}}""";
        await using var upstream = await FakeUpstream.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(Answer);
        }).DefaultTimeout();
        await using var gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            """
            guardrails:
              - { name: answer-pii, kind: pii, action: mask, mode: post_call }
              - { name: answer-ids, kind: regex, patterns: ["r[0-9]+"], action: mask, mode: post_call }
            """,
            general: $$"""
                pass_through_endpoints:
                  - path: /rerank
                    target: "{{upstream.Origin}}/v1/rerank"
                    auth: true
                    guardrails:
                      answer-pii: { response_fields: ["results[*].text"] }
              """).DefaultTimeout();
        var keyed = (await gateway.GenerateKeyAsync("""{"guardrails":["answer-ids"]}""")).GetProperty("key").GetString()!;

        using var plain = await SendAsync(gateway, """{"query":"q"}""", "rerank");
        using var withKey = await SendAsync(gateway, """{"query":"q"}""", "rerank", keyed);

        Assert.Equal(Answer.Replace("Reach bob@example.com", "Reach [EMAIL]", StringComparison.Ordinal), await plain.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal(
            Answer.Replace("Reach bob@example.com", "Reach [EMAIL]", StringComparison.Ordinal).Replace("\"r1\"", "\"[REDACTED]\"", StringComparison.Ordinal),
            await withKey.Content.ReadAsStringAsync().DefaultTimeout());
    }

    private static async Task<HttpResponseMessage> SendAsync(
        GatewayTestEnvironment gateway, string body, string path = "openai/v1/chat/completions", string key = GatewayTestEnvironment.VirtualKey, string contentType = "application/json")
    {
        using var request = gateway.Request(HttpMethod.Post, path, key);
        request.Content = new StringContent(body, Encoding.UTF8, contentType);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");
        return await gateway.Client.SendAsync(request).DefaultTimeout();
    }

    private static string CallId(HttpResponseMessage response) => response.Headers.GetValues("x-litellm-call-id").Single();
}
