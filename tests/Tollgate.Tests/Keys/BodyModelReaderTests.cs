using System.Text;
using Tollgate.Keys;

namespace Tollgate.Tests.Keys;

public sealed class BodyModelReaderTests
{
    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[]}""", "gpt-4o")]
    [InlineData("""{"messages":[{"model":"inner"}],"model":"outer"}""", "outer")]
    [InlineData("""{"mod\u0065l":"escaped"}""", "escaped")]
    [InlineData("""{"MODEL":"upper"}""", "upper")]
    [InlineData("\uFEFF{\"model\":\"after-a-bom\"}", "after-a-bom")]
    [InlineData("""{"messages":[]}""", null)]
    [InlineData("", null)]
    public void Reads_the_top_level_model_as_providers_do(string json, string? model)
    {
        var result = BodyModelReader.FromJson(Encoding.UTF8.GetBytes(json));

        Assert.Null(result.Problem);
        Assert.Equal(model, result.Model);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","model":"gpt-4o"}""", "more than once")]
    [InlineData("""{"model":"gpt-4o-mini","Model":"gpt-4o"}""", "more than once")]
    [InlineData("""{"model":"gpt-4o-mini" /* hi */}""", "strict JSON")]
    [InlineData("""{"model":"gpt-4o-mini"} {"model":"gpt-4o"}""", "strict JSON")]
    [InlineData("""{"model":"trunc""", "strict JSON")]
    [InlineData("""{"model":42}""", "not a string")]
    [InlineData("""[{"model":"x"}]""", "not a JSON object")]
    [InlineData("""{"\uD800":1,"model":"gpt-4o"}""", "strict JSON")]
    public void A_body_that_parsers_could_read_differently_is_a_problem(string json, string problem)
    {
        var result = BodyModelReader.FromJson(Encoding.UTF8.GetBytes(json));

        Assert.Null(result.Model);
        Assert.Contains(problem, result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_before_the_model_is_read_through_up_to_a_limit()
    {
        static string Nested(int depth) => "{\"a\":" + new string('[', depth) + new string(']', depth) + ",\"model\":\"deep\"}";

        Assert.Equal("deep", BodyModelReader.FromJson(Encoding.UTF8.GetBytes(Nested(200))).Model);
        Assert.NotNull(BodyModelReader.FromJson(Encoding.UTF8.GetBytes(Nested(2000))).Problem);
    }

    [Theory]
    [InlineData("gpt-4o-transcribe", null)]
    [InlineData("whisper-1\r\n--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt-4o", "more than once")]
    public async Task Reads_a_multipart_forms_model_field(string field, string? problem)
    {
        var form = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF....\r\n"
            + $"--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n{field}\r\n--b--\r\n";

        var result = await BodyModelReader.ReadAsync(Encoding.UTF8.GetBytes(form), "multipart/form-data; boundary=b", CancellationToken.None);

        Assert.Equal(problem is null ? field : null, result.Model);
        if (problem is not null)
        {
            Assert.Contains(problem, result.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Any_body_that_is_not_a_form_is_read_as_json_whatever_its_content_type()
    {
        var result = await BodyModelReader.ReadAsync(Encoding.UTF8.GetBytes("""{"model":"gpt-4o"}"""), "text/plain", CancellationToken.None);

        Assert.Equal("gpt-4o", result.Model);
    }
}
