using Tollgate.Metering.Pricing;

namespace Tollgate.Tests.Metering.Pricing;

public sealed class ModelNamesTests
{
    [Theory]
    [InlineData("models/gemini-2.0-flash", "gemini-2.0-flash")]
    [InlineData("models/gemini-2.5-pro:streamGenerateContent", "gemini-2.5-pro")]
    [InlineData("publishers/google/models/gemini-2.5-flash:generateContent", "gemini-2.5-flash")]
    [InlineData("openai/gpt-4o", "gpt-4o")]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4@20250514", "claude-sonnet-4")]
    [InlineData("publishers/anthropic/models/claude-opus-4-1@20250805:streamRawPredict", "claude-opus-4-1")]
    [InlineData("us.anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-5-haiku-20241022-v1:0")]
    [InlineData("apac.amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0")]
    [InlineData("us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0")]
    [InlineData("global.anthropic.claude-opus-4-6-v1", "anthropic.claude-opus-4-6-v1")]
    [InlineData("anthropic.claude-opus-4-6-v1:0", "anthropic.claude-opus-4-6-v1")]
    [InlineData("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-5-haiku-20241022-v1:0")]
    [InlineData("arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0", "meta.llama3-70b-instruct-v1:0")]
    [InlineData("arn%3Aaws%3Abedrock%3Aeu-west-1%3A1%3Ainference-profile%2Feu.meta.llama3-2-3b-instruct-v1%3A0", "meta.llama3-2-3b-instruct-v1:0")]
    public void Normalised_names_include_the_base_name(string reported, string normalised)
    {
        var candidates = ModelNames.Candidates(reported);

        Assert.Contains(normalised, candidates);
    }

    [Fact]
    public void The_exact_name_comes_first_and_each_step_is_listed_once_in_order()
    {
        Assert.Equal(
            ["us.anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1"],
            ModelNames.Candidates("us.anthropic.claude-haiku-4-5-20251001-v1:0"));
        Assert.Equal(
            ["models/gemini-2.0-flash-001:generateContent", "gemini-2.0-flash-001"],
            ModelNames.Candidates("models/gemini-2.0-flash-001:generateContent"));
        Assert.Equal(["gpt-4o"], ModelNames.Candidates(" gpt-4o "));
        Assert.Empty(ModelNames.Candidates("  "));
    }

    [Theory]
    [InlineData("us.something")] // a region prefix needs a vendor after it
    [InlineData("gpt-4o-mini")]
    [InlineData("mistral-large-2411")] // only full dates are snapshot suffixes
    public void Names_without_anything_to_normalise_stay_as_they_are(string name)
    {
        Assert.Equal([name], ModelNames.Candidates(name));
    }
}
