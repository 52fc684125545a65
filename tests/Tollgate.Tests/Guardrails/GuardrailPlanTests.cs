using Tollgate.Configuration;
using Tollgate.Guardrails;

namespace Tollgate.Tests.Guardrails;

/// <summary>Which guardrails a route runs, in which order, on which texts.</summary>
public sealed class GuardrailPlanTests
{
    private static readonly GuardrailRegistry Registry = new(
    [
        new GuardrailConfig { Name = "hook", Kind = GuardrailKind.Webhook, Url = new Uri("http://127.0.0.1:9/") },
        new GuardrailConfig { Name = "mask", Kind = GuardrailKind.Pii, Action = GuardrailAction.Mask },
        new GuardrailConfig { Name = "block", Kind = GuardrailKind.Keywords, Keywords = ["x"] },
        new GuardrailConfig { Name = "answers", Kind = GuardrailKind.Pii, Mode = GuardrailMode.PostCall },
        new GuardrailConfig { Name = "block2", Kind = GuardrailKind.Regex, Patterns = ["y"] },
    ]);

    private static string[] Names(GuardrailPlan? plan) => plan is null ? [] : [.. plan.Steps.Select(s => s.Guardrail.Name)];

    [Fact]
    public void Blocks_run_before_masks_before_webhooks_each_in_config_order()
    {
        var plan = Registry.ForProvider(["hook", "mask", "block2", "block"], GuardrailMode.PreCall);

        Assert.Equal(["block", "block2", "mask", "hook"], Names(plan));
    }

    [Fact]
    public void Modes_are_planned_apart_and_a_route_without_a_mode_has_no_plan()
    {
        Assert.Equal(["answers"], Names(Registry.ForProvider(["mask", "answers"], GuardrailMode.PostCall)));
        Assert.Null(Registry.ForProvider(["answers"], GuardrailMode.PreCall));
        Assert.Null(Registry.ForProvider(null, GuardrailMode.PreCall));
    }

    [Fact]
    public void A_keys_guardrails_join_once_in_the_same_order()
    {
        Registry.TryGet("block", out var block);
        Registry.TryGet("hook", out var hook);
        var route = Registry.ForProvider(["mask", "block"], GuardrailMode.PreCall)!;

        var merged = route.With([hook!, block!, hook!]);

        Assert.Equal(["block", "mask", "hook"], Names(merged));
        Assert.Same(route, route.With([block!]));
        Assert.Equal(["block"], Names(GuardrailPlan.ProviderBase.With([block!])));
    }

    [Fact]
    public void An_endpoints_fields_give_a_guardrail_its_own_texts()
    {
        var plan = Registry.ForEndpoint(
            new CustomEndpointConfig
            {
                Path = "/rerank",
                Target = new Uri("http://127.0.0.1:9/"),
                Guardrails = ["mask", "block"],
                GuardrailFields = new Dictionary<string, IReadOnlyList<string>> { ["mask"] = ["documents[*].text"] },
            },
            GuardrailMode.PreCall)!;
        using var texts = new GuardrailTexts();

        Assert.True(texts.TryExtract("""{"query":"q","documents":[{"text":"d"}]}"""u8, plan.Paths));
        var mask = plan.Steps.Single(s => s.Guardrail.Name == "mask").Selector;
        var block = plan.Steps.Single(s => s.Guardrail.Name == "block").Selector;
        Assert.Equal(["d"], Enumerable.Range(0, texts.Count).Where(i => (texts.Selectors(i) & mask) != 0).Select(i => texts.Text(i).ToString()));
        Assert.Equal(["query", "q", "documents", "text", "d"], Enumerable.Range(0, texts.Count).Where(i => (texts.Selectors(i) & block) != 0).Select(i => texts.Text(i).ToString()));
    }

    [Fact]
    public void Answer_shapes_yield_the_generated_text()
    {
        var paths = GuardrailPlan.ProviderResponseBase.Paths;
        using var texts = new GuardrailTexts();

        Assert.True(texts.TryExtract("""{"id":"x","choices":[{"message":{"role":"assistant","content":"a","tool_calls":[{"id":"t","function":{"name":"f","arguments":"{\"q\":1}"}}]}}],"usage":{"prompt_tokens":1}}"""u8, paths));
        Assert.Equal(["a", "{\"q\":1}"], Enumerable.Range(0, texts.Count).Select(i => texts.Text(i).ToString()));
        Assert.True(texts.TryExtract("""{"candidates":[{"content":{"role":"model","parts":[{"text":"g"}]},"finishReason":"STOP"}],"modelVersion":"m"}"""u8, paths));
        Assert.Equal(["g"], Enumerable.Range(0, texts.Count).Select(i => texts.Text(i).ToString()));
        Assert.True(texts.TryExtract("""{"output":{"message":{"role":"assistant","content":[{"text":"b"}]}},"stopReason":"end_turn"}"""u8, paths));
        Assert.Equal(["b"], Enumerable.Range(0, texts.Count).Select(i => texts.Text(i).ToString()));
    }
}
