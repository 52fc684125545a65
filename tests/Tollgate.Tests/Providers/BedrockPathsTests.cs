using Tollgate.Providers.Bedrock;

namespace Tollgate.Tests.Providers;

public sealed class BedrockPathsTests
{
    [Theory]
    [InlineData("/agents/A1/agentAliases/L1/sessions/s1/text")]
    [InlineData("/knowledgebases/KB1/retrieve")]
    [InlineData("/flows/F1/aliases/FA1")]
    [InlineData("/retrieveAndGenerate")]
    [InlineData("/retrieveAndGenerateStream")]
    [InlineData("/rerank")]
    [InlineData("/generateQuery")]
    [InlineData("/optimize-prompt")]
    [InlineData("/sessions/s1/invocations/")]
    [InlineData("agents/A1")]
    public void Agent_runtime_operations_go_to_the_agent_runtime(string tail) =>
        Assert.True(BedrockPaths.IsAgentRuntime(tail));

    [Theory]
    [InlineData("/model/anthropic.claude-3-5-haiku-20241022-v1:0/converse")]
    [InlineData("/model/agents/converse")]
    [InlineData("/agentsx/A1")]
    [InlineData("/Agents/A1")]
    [InlineData("/async-invoke")]
    [InlineData("/guardrail/G1/version/1/apply")]
    [InlineData("")]
    [InlineData("/")]
    public void Everything_else_goes_to_the_runtime(string tail) =>
        Assert.False(BedrockPaths.IsAgentRuntime(tail));
}
