using System.IO.Compression;
using System.Net;
using System.Text;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>
/// A key's models list holds wherever the model is named: the gateway learns the model exactly as the
/// provider will or refuses the call, and a key with a list may not call endpoints whose model it cannot see.
/// </summary>
public sealed class ModelListTests : IAsyncLifetime
{
    private const string Models = """{"models":["gpt-4o-mini","whisper-1","claude-3-5-haiku-latest"]}""";

    private FakeUpstream _upstream = null!;
    private GatewayTestEnvironment _gateway = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync(context => context.Response.WriteAsync("{}"));
        _gateway = await GatewayTestEnvironment.StartWithKeysAsync(
            $"""
            pass_through_providers:
              openai: {"{"} api_key: real-openai, api_base: "{_upstream.Origin}" {"}"}
              anthropic: {"{"} api_key: real-anthropic, api_base: "{_upstream.Origin}" {"}"}
              gemini: {"{"} api_key: real-gemini, api_base: "{_upstream.Origin}" {"}"}
              mistral: {"{"} api_key: real-mistral, api_base: "{_upstream.Origin}" {"}"}
              {FakeBedrock.ProviderEntry(_upstream.Origin, $"agent_api_base: \"{_upstream.Origin}\"")}
            """);
        _key = await NewKeyAsync(Models);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    public static TheoryData<string, string?, string?, string> BodiesThatCouldReadAsAnotherModel() => new()
    {
        { """{"model":"gpt-4o-mini","messages":[],"model":"gpt-4o"}""", "application/json", null, "400 more than once" },
        { """{"model":"gpt-4o-mini","Model":"gpt-4o"}""", "application/json", null, "400 more than once" },
        { """{"model":"gpt-4o-mini" /* */, "messages":[]}""", "application/json", null, "400 strict JSON" },
        { "{\"a\":" + new string('[', 100) + new string(']', 100) + ",\"model\":\"gpt-4o\"}", "application/json", null, "403 'gpt-4o'" },
        { "\uFEFF{\"model\":\"gpt-4o\"}", "application/json", null, "403 'gpt-4o'" },
        { """{"model":"gpt-4o"}""", null, null, "403 'gpt-4o'" },
        { """{"model":"gpt-4o"}""", "text/plain", null, "403 'gpt-4o'" },
        { """{"model":"gpt-4o-mini"}""", "application/json", "gzip", "400 Content-Encoding" },
    };

    [Theory]
    [MemberData(nameof(BodiesThatCouldReadAsAnotherModel))]
    public async Task A_body_is_judged_as_the_provider_reads_it_or_refused(string json, string? contentType, string? encoding, string expected)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var request = _gateway.Request(HttpMethod.Post, "openai/v1/chat/completions", _key);
        request.Content = new ByteArrayContent(encoding is null ? body : Gzip(body));
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (encoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(encoding);
        }

        var (status, answer) = await SendAsync(request);

        var (code, words) = (int.Parse(expected[..3], System.Globalization.CultureInfo.InvariantCulture), expected[4..]);
        Assert.True((int)status == code, answer);
        Assert.Contains(words, answer, StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task A_multipart_forms_model_field_is_checked_and_the_form_goes_on_intact()
    {
        static MultipartFormDataContent Form(string model) => new("b0undary")
        {
            { new ByteArrayContent([1, 2, 3, 0, 255]), "file", "a.wav" },
            { new StringContent(model), "model" },
        };

        using var allowed = _gateway.Request(HttpMethod.Post, "openai/v1/audio/transcriptions", _key);
        allowed.Content = Form("whisper-1");
        var sent = await allowed.Content.ReadAsByteArrayAsync();
        using var refused = _gateway.Request(HttpMethod.Post, "openai/v1/audio/transcriptions", _key);
        refused.Content = Form("gpt-4o-transcribe");

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(allowed)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(refused)).Status);
        Assert.Equal(sent, Assert.Single(_upstream.Requests).Body);
    }

    public static TheoryData<string, string> EndpointsThatNameTheirModelElsewhere() => new()
    {
        { "anthropic/v1/messages/batches", """{"requests":[{"custom_id":"1","params":{"model":"claude-opus-4-1","max_tokens":9,"messages":[]}}]}""" },
        { "openai/v1/batches", """{"input_file_id":"file-1","endpoint":"/v1/chat/completions","completion_window":"24h"}""" },
        { "openai/v1/responses", """{"prompt":{"id":"pmpt_1"}}""" },
        { "openai/v1/threads/runs", """{"assistant_id":"asst_1"}""" },
        { "openai/v1/realtime/client_secrets", """{"session":{"type":"realtime","model":"gpt-realtime"}}""" },
        { "gemini/v1beta/tunedModels/my-tuned:generateContent", """{"contents":[]}""" },
        { "bedrock/async-invoke", """{"modelId":"amazon.nova-reel-v1:0","modelInput":{}}""" },
        { "bedrock/retrieveAndGenerate", """{"retrieveAndGenerateConfiguration":{"knowledgeBaseConfiguration":{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus"}}}""" },
        { "mistral/v1/conversations", """{"agent_id":"ag_1","inputs":"hi"}""" },
        { "mistral/v1/agents/completions", """{"agent_id":"ag_1","messages":[]}""" },
    };

    [Theory]
    [MemberData(nameof(EndpointsThatNameTheirModelElsewhere))]
    public async Task A_key_with_a_models_list_may_not_call_endpoints_whose_model_the_gateway_cannot_see(string path, string json)
    {
        var (status, answer) = await PostAsync(path, json, _key);

        Assert.True(status == HttpStatusCode.Forbidden, answer);
        Assert.Contains("/" + path.Split(':')[0], answer, StringComparison.Ordinal);
        Assert.Contains("allowed_routes", answer, StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task Allowed_routes_that_name_such_an_endpoint_grant_it()
    {
        var granted = await NewKeyAsync("""{"models":["gpt-4o-mini"],"allowed_routes":["/openai/v1/batches","/openai/v1/chat"]}""");
        var routeOnly = await NewKeyAsync("""{"models":["gpt-4o-mini"],"allowed_routes":["/openai"]}""");
        const string Batch = """{"input_file_id":"file-1","endpoint":"/v1/chat/completions","completion_window":"24h"}""";

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("openai/v1/batches", Batch, granted)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("openai/v1/batches", Batch, routeOnly)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("openai/v1/chat/completions", """{"model":"gpt-4o"}""", granted)).Status);
    }

    [Fact]
    public async Task Calls_that_run_no_model_stay_open_to_such_a_key()
    {
        using var upload = _gateway.Request(HttpMethod.Post, "openai/v1/files", _key);
        upload.Content = new MultipartFormDataContent { { new StringContent("batch"), "purpose" }, { new ByteArrayContent([1]), "file", "in.jsonl" } };

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_gateway.Request(HttpMethod.Get, "openai/v1/models", _key))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_gateway.Request(HttpMethod.Get, "openai/v1/batches/batch_1", _key))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(upload)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("anthropic/v1/messages", """{"model":"claude-3-5-haiku-latest","max_tokens":1,"messages":[]}""", _key)).Status);
    }

    private async Task<string> NewKeyAsync(string json) => (await _gateway.GenerateKeyAsync(json)).GetProperty("key").GetString()!;

    private Task<(HttpStatusCode Status, string Answer)> PostAsync(string path, string json, string key)
    {
        var request = _gateway.Request(HttpMethod.Post, path, key);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return SendAsync(request);
    }

    private async Task<(HttpStatusCode Status, string Answer)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await _gateway.Client.SendAsync(request).DefaultTimeout();
            return (response.StatusCode, await response.Content.ReadAsStringAsync().DefaultTimeout());
        }
    }

    private static byte[] Gzip(byte[] body)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }

        return output.ToArray();
    }
}
