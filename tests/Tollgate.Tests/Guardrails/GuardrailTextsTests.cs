using System.Text;
using System.Text.Json;
using CsCheck;
using Tollgate.Fuzz.Targets;
using Tollgate.Guardrails;
using Tollgate.Tests.Metering;

namespace Tollgate.Tests.Guardrails;

/// <summary>Finding the texts of a request body by path, and rewriting only the replaced string tokens.</summary>
public sealed class GuardrailTextsTests
{
    private static readonly TextPathSet Providers = TextPathSet.Build([(RequestTextPaths.ProviderShapes, 1)]);
    private static readonly TextPathSet Answers = TextPathSet.Build([(ResponseTextPaths.ProviderShapes, 1)]);

    private static List<string> Texts(string json, TextPathSet paths, ulong selector = ulong.MaxValue)
    {
        using var texts = new GuardrailTexts();
        Assert.True(texts.TryExtract(Encoding.UTF8.GetBytes(json), paths));
        return [.. Enumerable.Range(0, texts.Count).Where(i => (texts.Selectors(i) & selector) != 0).Select(i => texts.Text(i).ToString())];
    }

    private static TextPathSet Fields(params string[] paths) =>
        TextPathSet.Build([(paths.Select(p => JsonTextPath.Parse(p, subtree: true)), 1)]);

    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,QUJD"}}]}]}""", new[] { "be brief", "hi" })]
    [InlineData("""{"model":"gpt-4o","input":[{"role":"user","content":[{"type":"input_text","text":"hello"},{"type":"input_image","image_url":"https://x/y.png"}]}],"instructions":"obey"}""", new[] { "hello", "obey" })]
    [InlineData("""{"model":"text-embedding-3-small","input":["a","b"]}""", new[] { "a", "b" })]
    [InlineData("""{"model":"gpt-3.5-turbo-instruct","prompt":"complete me","max_tokens":5}""", new[] { "complete me" })]
    [InlineData("""{"model":"claude","system":[{"type":"text","text":"sys","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"QUJD"}},{"type":"text","text":"describe"}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"42"}]}]}""", new[] { "sys", "describe", "42" })]
    [InlineData("""{"contents":[{"role":"user","parts":[{"text":"gem"},{"inlineData":{"mimeType":"image/png","data":"QUJD"}}]}],"systemInstruction":{"parts":[{"text":"si"}]}}""", new[] { "gem", "si" })]
    [InlineData("""{"messages":[{"role":"user","content":[{"text":"bed"},{"image":{"format":"png","source":{"bytes":"QUJD"}}}]}],"system":[{"text":"bsys"}],"inferenceConfig":{"maxTokens":5}}""", new[] { "bed", "bsys" })]
    [InlineData("""{"message":"co","chat_history":[{"role":"USER","message":"earlier"}],"documents":[{"title":"t","snippet":"s"}]}""", new[] { "co", "earlier", "t", "s" })]
    [InlineData("""{"model":"rerank","query":"q","documents":["d1",{"text":"d2"}],"top_n":1}""", new[] { "q", "d1", "d2" })]
    // Issue 13, defect 3: the fields that were not read.
    [InlineData("""{"model":"claude","messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"doc text"},"title":"doc title","context":"doc context"}]},{"role":"assistant","content":[{"type":"thinking","thinking":"pondered","signature":"sig"},{"type":"tool_use","id":"t1","name":"lookup","input":{"query":"tool arg","n":3}}]}]}""", new[] { "doc text", "doc title", "doc context", "pondered", "tool arg" })]
    [InlineData("""{"messages":[{"role":"assistant","content":[{"toolUse":{"toolUseId":"t","name":"f","input":{"q":"conv arg"}}}]},{"role":"user","content":[{"toolResult":{"toolUseId":"t","content":[{"json":{"r":"conv json"}}]}},{"guardContent":{"text":{"text":"guarded"}}}]}]}""", new[] { "conv arg", "conv json", "guarded" })]
    [InlineData("""{"model":"gpt-4o","input":[{"type":"function_call","call_id":"c","name":"f","arguments":"{\"a\":\"fn arg\"}"},{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"fn out"}]},{"type":"reasoning","summary":[{"type":"summary_text","text":"reasoned"}]}]}""", new[] { "{\"a\":\"fn arg\"}", "fn out", "reasoned" })]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"call arg"}}]}],"tools":[{"type":"function","function":{"name":"f","description":"tool desc","parameters":{"type":"object","properties":{"x":{"type":"string","description":"param desc"}}}}}]}""", new[] { "call arg", "tool desc", "object", "string", "param desc" })]
    [InlineData("""{"role":"user","content":"thread message"}""", new[] { "thread message" })]
    [InlineData("""{"assistant_id":"a","additional_instructions":"extra","additional_messages":[{"role":"user","content":"more"}],"thread":{"messages":[{"role":"user","content":"in thread"}]}}""", new[] { "extra", "more", "in thread" })]
    [InlineData("""{"items":[{"type":"message","role":"user","content":[{"type":"input_text","text":"conversation item"}]}]}""", new[] { "conversation item" })]
    [InlineData("""{"requests":[{"custom_id":"r1","params":{"model":"claude","max_tokens":5,"system":"batch sys","messages":[{"role":"user","content":"batched"}]}}]}""", new[] { "batch sys", "batched" })]
    [InlineData("""{"batch":{"display_name":"b","input_config":{"requests":{"requests":[{"request":{"contents":[{"parts":[{"text":"gemini batched"}]}]},"metadata":{"key":"k"}}]}}}}""", new[] { "gemini batched" })]
    [InlineData("""{"modelId":"m","modelInput":{"inputText":"async titan"},"outputDataConfig":{"s3OutputDataConfig":{"s3Uri":"s3://b"}}}""", new[] { "async titan" })]
    [InlineData("""{"contents":[],"tools":[{"functionDeclarations":[{"name":"f","description":"gemini tool","parameters":{"type":"OBJECT"}}]}]}""", new[] { "gemini tool", "OBJECT" })]
    [InlineData("""{"messages":[],"toolConfig":{"tools":[{"toolSpec":{"name":"f","description":"converse tool","inputSchema":{"json":{"description":"schema desc"}}}}]}}""", new[] { "converse tool", "schema desc" })]
    public void Provider_shapes_yield_their_texts_and_nothing_else(string json, string[] expected) =>
        Assert.Equal(expected, Texts(json, Providers));

    /// <summary>Issue 13, defect 3: generated text the answer check did not read.</summary>
    [Theory]
    [InlineData("""{"content":[{"type":"thinking","thinking":"mused","signature":"s"},{"type":"tool_use","id":"t","name":"f","input":{"q":"wrote arg"}},{"type":"text","text":"said"}]}""", new[] { "mused", "wrote arg", "said" })]
    [InlineData("""{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"q":"gemini arg"}}},{"executableCode":{"language":"PYTHON","code":"print(1)"}},{"codeExecutionResult":{"outcome":"OK","output":"1"}}]}}]}""", new[] { "gemini arg", "print(1)", "1" })]
    [InlineData("""{"output":{"message":{"content":[{"toolUse":{"toolUseId":"t","name":"f","input":{"q":"converse arg"}}}]}}}""", new[] { "converse arg" })]
    [InlineData("""{"output":[{"type":"reasoning","summary":[{"type":"summary_text","text":"summary"}]}]}""", new[] { "summary" })]
    [InlineData("""{"choices":[{"message":{"role":"assistant","audio":{"id":"a","data":"QUJD","transcript":"spoken"},"function_call":{"name":"f","arguments":"legacy arg"}}}]}""", new[] { "spoken", "legacy arg" })]
    public void Answer_shapes_yield_their_generated_texts(string json, string[] expected) =>
        Assert.Equal(expected, Texts(json, Answers));

    [Fact]
    public void On_a_custom_endpoint_property_names_and_numbers_are_texts_and_a_masked_number_becomes_a_string()
    {
        var everything = TextPathSet.Build([([JsonTextPath.Everything], 1)], namesAndNumbers: true);
        const string Json = """{"ann@example.com":{"card":4111111111111111,"n":-1.5e3},"note":"hi"}""";
        using var texts = new GuardrailTexts();
        Assert.True(texts.TryExtract(Encoding.UTF8.GetBytes(Json), everything));

        Assert.Equal(["ann@example.com", "card", "4111111111111111", "n", "-1.5e3", "note", "hi"], Enumerable.Range(0, texts.Count).Select(i => texts.Text(i).ToString()));
        texts.Replace(0, "[EMAIL]");
        texts.Replace(2, "[CARD]");
        var rewritten = new byte[texts.RewrittenLength(Encoding.UTF8.GetBytes(Json))];
        texts.Rewrite(Encoding.UTF8.GetBytes(Json), rewritten);
        Assert.Equal("""{"[EMAIL]":{"card":"[CARD]","n":-1.5e3},"note":"hi"}""", Encoding.UTF8.GetString(rewritten));
    }

    [Fact]
    public void Model_names_ids_roles_and_numbers_are_not_texts()
    {
        Assert.Empty(Texts("""{"model":"a@b.com","messages":[{"role":"user","name":"x","content":null}],"temperature":0.5,"metadata":{"user":"a@b.com"}}""", Providers));
    }

    [Fact]
    public void Request_fields_take_every_string_under_the_value_they_name()
    {
        var json = """{"query":"q","documents":[{"text":"d1","id":"7"},{"text":"d2"}],"other":"o","nested":{"deep":["x",{"y":"z"}]}}""";

        Assert.Equal(["d1", "d2"], Texts(json, Fields("documents[*].text")));
        Assert.Equal(["q", "d1", "7", "d2"], Texts(json, Fields("query", "documents")));
        Assert.Equal(["d2"], Texts(json, Fields("$.documents[1].text")));
        Assert.Equal(["x", "z"], Texts(json, Fields("nested.deep")));
        Assert.Equal(["q", "d1", "7", "d2", "o", "x", "z"], Texts(json, TextPathSet.Build([([JsonTextPath.Everything], 1)])));
    }

    [Fact]
    public void Each_text_carries_the_selectors_of_the_groups_that_name_it()
    {
        var paths = TextPathSet.Build(
        [
            ([JsonTextPath.Everything], 1),
            ([JsonTextPath.Parse("query", subtree: true)], 2),
            ([JsonTextPath.Parse("documents[*]", subtree: true), JsonTextPath.Parse("query", subtree: true)], 4),
        ]);
        var json = """{"query":"q","documents":["d"],"x":"y"}""";

        Assert.Equal(["q", "d", "y"], Texts(json, paths, 1));
        Assert.Equal(["q"], Texts(json, paths, 2));
        Assert.Equal(["q", "d"], Texts(json, paths, 4));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"messages":[}""")]
    [InlineData("""{"a":1} {"b":2}""")]
    [InlineData("")]
    [InlineData("not json")]
    public void Malformed_json_is_refused(string json)
    {
        using var texts = new GuardrailTexts();

        Assert.False(texts.TryExtract(Encoding.UTF8.GetBytes(json), Providers));
    }

    [Fact]
    public void Escaped_strings_are_unescaped_for_the_detectors()
    {
        Assert.Equal(["gr\u00fc\u00df \"q\" a@b.com\n"], Texts("""{"prompt":"gr\u00fc\u00df \"q\" a\u0040b.com\n"}""", Providers));
    }

    [Fact]
    public void A_rewrite_changes_only_the_replaced_tokens_and_keeps_every_other_byte()
    {
        // Odd spacing, raw non-ASCII, escapes elsewhere, numbers with exponents: all must survive as they are.
        var json = "{ \"model\" : \"m\\u0031\", \"messages\":[ {\"role\":\"user\",\"content\":\"mail ann@example.com, gr\u00fc\u00df\"},\n"
            + "{\"role\":\"user\",\"content\":\"untouched \\u00e9\"} ], \"temperature\": 1e0 }";
        var bytes = Encoding.UTF8.GetBytes(json);
        using var texts = new GuardrailTexts();
        Assert.True(texts.TryExtract(bytes, Providers));

        texts.Replace(0, "mail [EMAIL], gr\u00fc\u00df");
        var output = new byte[texts.RewrittenLength(bytes)];
        var written = texts.Rewrite(bytes, output);

        Assert.Equal(output.Length, written);
        Assert.Equal(json.Replace("ann@example.com", "[EMAIL]", StringComparison.Ordinal), Encoding.UTF8.GetString(output));
        using var parsed = JsonDocument.Parse(output);
    }

    [Fact]
    public void A_replaced_escaped_token_is_re_encoded_with_minimal_escaping()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"prompt":"x\u0040y.com \"quoted\" \\ tab\t\u0001 \u00e9 \ud83d\ude00"}""");
        using var texts = new GuardrailTexts();
        Assert.True(texts.TryExtract(bytes, Providers));

        texts.Replace(0, texts.Text(0).ToString().Replace("x@y.com", "[EMAIL]", StringComparison.Ordinal));
        var output = new byte[texts.RewrittenLength(bytes)];
        texts.Rewrite(bytes, output);

        Assert.Equal("{\"prompt\":\"[EMAIL] \\\"quoted\\\" \\\\ tab\\t\\u0001 \u00e9 \U0001F600\"}", Encoding.UTF8.GetString(output));
        using var parsed = JsonDocument.Parse(output);
        Assert.Equal("[EMAIL] \"quoted\" \\ tab\t\u0001 \u00e9 \U0001F600", parsed.RootElement.GetProperty("prompt").GetString());
    }

    [Fact]
    public void Replacing_a_text_with_itself_is_not_a_change()
    {
        using var texts = new GuardrailTexts();
        Assert.True(texts.TryExtract("""{"prompt":"same"}"""u8, Providers));

        texts.Replace(0, "same");

        Assert.False(texts.Changed);
    }

    [Theory]
    [InlineData("documents[*].text")]
    [InlineData("$.a.b[2]")]
    [InlineData("a['odd.name'].c")]
    [InlineData("docs.*.text")]
    public void Field_paths_parse(string path) => Assert.True(JsonTextPath.TryParse(path, subtree: true, out _, out _));

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("a[")]
    [InlineData("a[x]")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData("a[*]b")]
    public void Bad_field_paths_are_refused(string path) => Assert.False(JsonTextPath.TryParse(path, subtree: true, out _, out _));

    [Fact]
    public void Every_text_of_any_document_can_be_replaced_and_reads_back_with_nothing_else_changed()
    {
        var everything = TextPathSet.Build([([JsonTextPath.Everything], 1)]);
        var awkward = Gen.OneOf("a", "\"", "\\", "\u0000", "\u001f", "\n\r\t\b\f", "\u2028", "é", "😀", "</script>", "[EMAIL]").Array[0, 4].Select(string.Concat);
        (from json in StreamGen.JsonValue
         from replacements in awkward.Array[64]
         select (Json: Encoding.UTF8.GetBytes(json), Replacements: replacements))
            .Sample(
                sample =>
                {
                    using var texts = new GuardrailTexts();
                    Assert.True(texts.TryExtract(sample.Json, everything));
                    for (var i = 0; i < texts.Count; i++)
                    {
                        texts.Replace(i, sample.Replacements[i % sample.Replacements.Length]);
                    }

                    var rewritten = new byte[texts.RewrittenLength(sample.Json)];
                    Assert.Equal(rewritten.Length, texts.Rewrite(sample.Json, rewritten));

                    // Token for token the same document, each string the replacement in its place.
                    var before = new Utf8JsonReader(sample.Json);
                    var after = new Utf8JsonReader(rewritten);
                    var index = 0;
                    while (before.Read())
                    {
                        Assert.True(after.Read());
                        Assert.Equal(before.TokenType, after.TokenType);
                        if (before.TokenType == JsonTokenType.String)
                        {
                            Assert.Equal(sample.Replacements[index++ % sample.Replacements.Length], after.GetString());
                        }
                        else if (before.TokenType == JsonTokenType.PropertyName)
                        {
                            Assert.Equal(before.GetString(), after.GetString());
                        }
                        else
                        {
                            Assert.Equal(before.ValueSpan.ToArray(), after.ValueSpan.ToArray());
                        }
                    }

                    Assert.False(after.Read());
                    Assert.Equal(texts.Count, index);
                },
                iter: 500);
    }

    [Fact]
    public void Any_bytes_are_read_or_refused_and_masked_texts_read_back() =>
        Gen.Select(Gen.Byte, Gen.OneOf<byte[]>(StreamGen.JsonNoise, StreamGen.JsonValue.Select(Encoding.UTF8.GetBytes), Gen.Byte.Array[0, 64]))
            .Sample(input => GuardrailJsonTarget.Run([input.Item1, .. input.Item2]), iter: 1000);

    [Fact]
    public void Normalised_matches_are_in_order_apart_and_cover_what_the_matches_covered() =>
        Gen.Select(Gen.Int[0, 40], Gen.Int[1, 10]).Array[0, 8]
            .Sample(
                spans =>
                {
                    var matches = spans.Select(s => new TextMatch(s.Item1, s.Item2, "c", "[X]")).ToList();

                    TextMasker.Normalize(matches);

                    for (var i = 1; i < matches.Count; i++)
                    {
                        Assert.True(matches[i - 1].End <= matches[i].Start);
                    }

                    var covered = spans.SelectMany(s => Enumerable.Range(s.Item1, s.Item2)).ToHashSet();
                    Assert.Equal(covered.Order(), matches.SelectMany(m => Enumerable.Range(m.Start, m.Length)).Order());

                    // Each merged span becomes one "[X]"; the rest of the text stays.
                    var masked = TextMasker.Apply(new string('x', 50), matches, new StringBuilder());
                    Assert.Equal(50 - covered.Count + (matches.Count * "[X]".Length), masked.Length);
                });
}
