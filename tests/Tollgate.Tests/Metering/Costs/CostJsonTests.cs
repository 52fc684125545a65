using System.Text;
using Tollgate.Metering.Costs;

namespace Tollgate.Tests.Metering.Costs;

public sealed class CostJsonTests
{
    [Theory]
    // (json, where the cost goes: the text before the usage object's closing brace, marked by |)
    [InlineData("""{"usage":{"prompt_tokens":9}}""", """{"usage":{"prompt_tokens":9|}}""")]
    [InlineData("""{"choices":[],"usage":{"a":{"b":{"c":[1,{"d":2}]}},"e":3},"x":{"usage":{}}}""", """{"choices":[],"usage":{"a":{"b":{"c":[1,{"d":2}]}},"e":3|},"x":{"usage":{}}}""")]
    [InlineData("{ \"usage\" :\n { \"prompt_tokens\" : 9 ,\r\n\t\"completion_tokens\":2 } }", "{ \"usage\" :\n { \"prompt_tokens\" : 9 ,\r\n\t\"completion_tokens\":2 |} }")]
    [InlineData("""{"text":"\"usage\":{\"x\":1}","usage":{"n":1}}""", """{"text":"\"usage\":{\"x\":1}","usage":{"n":1|}}""")]
    [InlineData("""{"say \"usage\"":{"n":0},"usage":{"s":"}\"{"}}""", """{"say \"usage\"":{"n":0},"usage":{"s":"}\"{"|}}""")]
    [InlineData("""{"us\u0061ge":{"n":1}}""", """{"us\u0061ge":{"n":1|}}""")]
    [InlineData("""{"usage":{"n":1},"usage":{"n":2}}""", """{"usage":{"n":1},"usage":{"n":2|}}""")]
    [InlineData("""{"usage":{"n":1},"usage":null}""", null)]
    [InlineData("""{"usage":null}""", null)]
    [InlineData("""{"usage":[{"n":1}]}""", null)]
    [InlineData("""{"message":{"usage":{"n":1}}}""", null)]
    [InlineData("""{"usage":{"n":1,"cost":0.1}}""", null)]
    [InlineData("""{"usage":{"n":1}""", null)]
    [InlineData("""{"usage":{"n":1}} x""", null)]
    [InlineData("""[{"usage":{"n":1}}]""", null)]
    [InlineData("", null)]
    public void Finds_the_closing_brace_of_the_top_level_usage_object(string json, string? marked) =>
        AssertFound(json, UsageObjectPath.Anthropic, marked);

    [Theory]
    [InlineData("""{"type":"response.completed","response":{"tools":[{"usage":{"t":1}}],"usage":{"input_tokens":3},"user":null}}""", """{"type":"response.completed","response":{"tools":[{"usage":{"t":1}}],"usage":{"input_tokens":3|},"user":null}}""")]
    [InlineData("""{"type":"response.created","response":{"usage":null}}""", null)]
    [InlineData("""{"choices":[],"usage":{"prompt_tokens":9}}""", """{"choices":[],"usage":{"prompt_tokens":9|}}""")]
    [InlineData("""{"response":"text","usage":{"a":1}}""", """{"response":"text","usage":{"a":1|}}""")]
    public void Finds_usage_inside_the_container_too(string json, string? marked) =>
        AssertFound(json, UsageObjectPath.OpenAi, marked);

    [Fact]
    public void An_empty_usage_object_takes_the_cost_without_a_comma()
    {
        Assert.True(CostJson.TryFindUsageEnd("""{"usageMetadata":{ }}"""u8, UsageObjectPath.Gemini, out var brace, out var empty));
        Assert.True(empty);
        Assert.Equal(19, brace);
    }

    [Theory]
    [InlineData("0.00000255", "0.00000255")]
    [InlineData("0.0000025500", "0.00000255")]
    [InlineData("0.002", "0.002")]
    [InlineData("0", "0")]
    [InlineData("0.000", "0")]
    [InlineData("12345.5", "12345.5")]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("-0.5", "-0.5")]
    public void Costs_are_plain_invariant_decimals_without_trailing_zeros_or_exponent(string value, string expected)
    {
        var cost = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        Span<byte> buffer = stackalloc byte[CostJson.MaxFormattedLength];

        Assert.True(CostJson.TryFormat(cost, buffer, out var written));
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer[..written]));
        Assert.Equal(expected, CostJson.Format(cost));
    }

    private static void AssertFound(string json, UsageObjectPath path, string? marked)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var found = CostJson.TryFindUsageEnd(bytes, path, out var brace, out var empty);
        if (marked is null)
        {
            Assert.False(found);
            return;
        }

        Assert.True(found);
        Assert.False(empty);
        Assert.Equal(marked.IndexOf('|', StringComparison.Ordinal), Encoding.UTF8.GetCharCount(bytes.AsSpan(0, brace)));
        Assert.Equal((byte)'}', bytes[brace]);
    }
}
