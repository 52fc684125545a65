using System.Text;
using Tollgate.Keys;

namespace Tollgate.Tests.Keys;

public sealed class ModelAccessTests
{
    [Theory]
    [InlineData("/v1beta/models/gemini-2.0-flash:generateContent", "gemini-2.0-flash")]
    [InlineData("/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent", "gemini-2.5-pro")]
    [InlineData("/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict", "claude-sonnet-4@20250514")]
    [InlineData("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", "anthropic.claude-3-5-haiku-20241022-v1:0")]
    [InlineData("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/invoke", "arn:aws:bedrock:us-east-1:1:inference-profile/us.x")]
    [InlineData("/openai/deployments/gpt-4o-prod/chat/completions", "gpt-4o-prod")]
    [InlineData("/v1/chat/completions", null)]
    [InlineData("/v1/models", null)]
    public void Finds_the_model_where_the_provider_puts_it_in_the_path(string tail, string? model) =>
        Assert.Equal(model, ModelAccess.FromPath(tail));

    [Theory]
    [InlineData("gpt-4o", true)]
    [InlineData("gpt-4o-mini", false)]
    [InlineData("claude-3-5-haiku", true)]
    [InlineData("claude-3-opus", false)]
    public void Names_match_exactly_or_by_a_trailing_star(string model, bool allowed) =>
        Assert.Equal(allowed, ModelAccess.Allows(["gpt-4o", "claude-3-5-*"], model));
}
