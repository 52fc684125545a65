using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Tollgate.Calls;
using Tollgate.Configuration;
using Tollgate.Forwarding;
using Tollgate.Guardrails;
using Tollgate.Keys;
using Tollgate.Metering;
using Tollgate.Routing;

namespace Tollgate.Benchmarks;

/// <summary>
/// What guardrails cost on the request path for a typical 4 KB OpenAI chat body (a system prompt and six
/// turns of prose; the "pii" variant has an email, a phone number and a card number in one turn):
/// <list type="bullet">
/// <item><c>NotApplied</c> (baseline): a route and key without guardrails, the check the middleware makes
/// before anything else; the body is not read.</item>
/// <item><c>ReadBody</c>: only reading the body into the pooled buffer and replaying it, what any
/// body-reading feature pays (also per request: the test's HttpContext and body stream).</item>
/// <item><c>PiiMask</c>: <c>kind: pii, action: mask</c> with every entity, through the real runner (read,
/// extract by path, detect, rewrite when something matched).</item>
/// <item><c>BlockAndMask</c>: a keywords block and a pii secret block, then the pii mask.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class GuardrailBenchmarks
{
    private byte[] _body = [];
    private PassThroughRoute _unguarded = null!;
    private PassThroughRoute _piiMask = null!;
    private PassThroughRoute _blockAndMask = null!;
    private RequestGuardrails _guardrails = null!;
    private StoredKey _key = null!;

    [Params("clean", "pii")]
    public string Body { get; set; } = "clean";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _body = Encoding.UTF8.GetBytes(ChatBody(Body == "pii"));
        var registry = new GuardrailRegistry(
        [
            new GuardrailConfig { Name = "codenames", Kind = GuardrailKind.Keywords, Keywords = ["project falcon", "blue harbor"] },
            new GuardrailConfig { Name = "no-secrets", Kind = GuardrailKind.Pii, Entities = PiiEntities.Secret },
            new GuardrailConfig { Name = "mask-pii", Kind = GuardrailKind.Pii, Action = GuardrailAction.Mask },
        ]);
        _unguarded = BenchmarkRoutes.Provider("openai");
        _piiMask = BenchmarkRoutes.Provider("openai", guardrails: registry.ForProvider(["mask-pii"], GuardrailMode.PreCall));
        _blockAndMask = BenchmarkRoutes.Provider("openai", guardrails: registry.ForProvider(["codenames", "no-secrets", "mask-pii"], GuardrailMode.PreCall));
        var limits = new GatewayLimits(100);
        var steps = new GuardrailSteps(new GuardrailWebhookClient(TimeProvider.System), limits, TimeProvider.System, NullLogger<GuardrailSteps>.Instance);
        _guardrails = new RequestGuardrails(steps, registry, limits);
        _key = new StoredKey { Token = KeyHash.Of("sk-benchmark-key-0123456789"), KeyName = "sk-...6789" };

        // Verify before timing: the masked body must differ exactly when there is PII, and be valid JSON.
        var (forwarded, length) = await RunAsync(_blockAndMask, decode: true);
        if ((length != _body.Length) != (Body == "pii") || (Body == "pii" && !forwarded.Contains("[EMAIL]", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"{Body}: unexpected result {forwarded}");
        }

        using var _ = System.Text.Json.JsonDocument.Parse(forwarded);
    }

    [Benchmark(Baseline = true)]
    public bool NotApplied() => RequestGuardrails.Applies(_unguarded, _key);

    [Benchmark]
    public async Task<int> ReadBody()
    {
        var context = Context();
        var body = await BufferedRequestBody.ReadAsync(context, long.MaxValue, CancellationToken.None);
        var length = body!.Length;
        body.Dispose();
        return length;
    }

    [Benchmark]
    public async Task<int> PiiMask() => (await RunAsync(_piiMask)).Length;

    [Benchmark]
    public async Task<int> BlockAndMask() => (await RunAsync(_blockAndMask)).Length;

    private async Task<(string Forwarded, int Length)> RunAsync(PassThroughRoute route, bool decode = false)
    {
        var context = Context();
        var call = new PassThroughCall(context, route, new RawRequestTarget("/openai/v1/chat/completions", 7, 27), TimeProvider.System)
        {
            Admission = new(_key.Token, null, _key, KeyCarriers.All, null),
        };
        if (await _guardrails.CheckAsync(call) is { } failure)
        {
            throw new InvalidOperationException(failure.Message);
        }

        var body = context.Features.Get<BufferedRequestBody>()!;
        var result = (decode ? Encoding.UTF8.GetString(body.Memory.Span) : "", body.Length);
        body.Dispose();
        return result;
    }

    private DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = _body.Length;
        context.Request.Body = new MemoryStream(_body, writable: false);
        return context;
    }

    /// <summary>About 4 KB: a system prompt and six turns of ordinary prose.</summary>
    private static string ChatBody(bool withPii)
    {
        const string Prose =
            "Our quarterly planning meeting covered the migration of the billing service, the on-call rotation for the holidays, "
            + "and the customer feedback from the last release. The team agreed to split the work into three milestones, with the "
            + "first one focused on moving read traffic and the second one on writes. Please summarise the risks and suggest owners.";
        var turns = new StringBuilder();
        for (var i = 0; i < 6; i++)
        {
            var text = withPii && i == 3
                ? Prose + " Contact me at jordan.lee@example.com or +1 415 555 2671; the test card is 4111 1111 1111 1111."
                : Prose;
            turns.Append($$""",{"role":"{{(i % 2 == 0 ? "user" : "assistant")}}","content":"{{text}}"}""");
        }

        return $$"""{"model":"gpt-4o-mini","temperature":0.2,"messages":[{"role":"system","content":"You are a careful assistant for an engineering team. Answer in short paragraphs."}{{turns}}]}""";
    }
}
