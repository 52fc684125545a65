using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using Tollgate.Keys;
using Tollgate.Routing;

namespace Tollgate.Tests.Keys;

/// <summary>The model the gateway checks is the model a strict reader finds in what is forwarded.</summary>
public sealed partial class ModelCheckPropertiesTests
{
    private static readonly Gen<string> Models = Gen.OneOf("gemini-1.5-flash", "gemini-1.5-pro", "gpt-4o", "gpt-4o-mini", "a.b-v1:0");

    [Fact]
    public void The_model_read_from_a_google_path_is_the_one_the_forwarded_path_names()
    {
        var spellings = Gen.Select(
            Gen.OneOf("/v1beta/", "/v1beta//", "//v1beta/", "/v1%62eta/"),
            Gen.OneOf("models", "%6Dodels", "%6dodels", "m%6Fdels"),
            Gen.OneOf("/", "//"),
            Gen.OneOf(Models.Select(m => m.Replace("-", "%2D", StringComparison.Ordinal)), Models),
            Gen.OneOf(":generateContent", "%3AgenerateContent", "%3agenerateContent", ":streamGenerateContent"),
            (a, b, c, d, e) => a + b + c + d + e);
        var target = new UpstreamTarget(new Uri("https://generativelanguage.example.com"));

        spellings.Sample(tail =>
        {
            var canonical = CanonicalTarget.Normalize(tail);
            var checkedModel = ModelAccess.FromPath(canonical);
            var uri = UpstreamUriBuilder.TryBuild(target, QueryPolicy.PassThrough, canonical, "", dropKeyParameter: false, out _);

            Assert.NotNull(uri);
            var forwarded = GoogleModel().Match(Uri.UnescapeDataString(uri!.AbsolutePath));
            Assert.True(forwarded.Success, uri.AbsolutePath);
            Assert.Equal(forwarded.Groups[1].Value, checkedModel);
        });
    }

    [Fact]
    public void A_json_model_is_judged_only_when_every_strict_reader_agrees_on_it()
    {
        var field = Gen.OneOf("\"model\"", "\"Model\"", "\"MODEL\"", "\"mod\\u0065l\"", "\"models\"", "\"x\"");
        var value = Gen.OneOf(Models.Select(m => "\"" + m + "\""), Gen.OneOf("null", "1", "{\"model\":\"gpt-4o\"}", "[\"gpt-4o\"]"));
        var member = Gen.Select(field, value, (f, v) => f + ":" + v);
        var bodies = Gen.Select(
            member.Array[0, 4],
            Gen.OneOf("", "\uFEFF", " "),
            Gen.OneOf("", "", " /* c */", " {}", "x"),
            (members, before, after) => before + "{" + string.Join(',', members) + "}" + after);

        bodies.Sample(json =>
        {
            var (model, problem) = BodyModelReader.FromJson(Encoding.UTF8.GetBytes(json));
            if (problem is not null)
            {
                return;
            }

            // A strict parser (no BOM, no comments) and a case-blind one must both find this model and no other.
            using var document = JsonDocument.Parse(json.TrimStart('\uFEFF'));
            var named = document.RootElement.EnumerateObject().Where(p => p.Name.Equals("model", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(named.Count <= 1, json);
            Assert.Equal(named.Count == 0 ? null : named[0].Value.GetString(), model);
        });
    }

    [GeneratedRegex("/models/([^/:]+)")]
    private static partial Regex GoogleModel();
}
