using Tollgate.Routing;

namespace Tollgate.Tests.Routing;

public sealed class PathSafetyTests
{
    [Theory]
    [InlineData("")]
    [InlineData("/v1/chat/completions")]
    [InlineData("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.anthropic.claude/converse")]
    [InlineData("/v1beta/models/gemini-2.0-flash:generateContent")]
    [InlineData("/v1/files/file-abc.jsonl")]
    [InlineData("/v1/..foo/bar...")]
    [InlineData("/a/@b/c")]
    [InlineData("/https://evil.example/x")]
    public void Accepts_ordinary_provider_paths(string tail) => Assert.Null(PathSafety.FindProblem(tail));

    [Theory]
    [InlineData("/..")]
    [InlineData("/v1/../../admin")]
    [InlineData("/v1/./x")]
    [InlineData("/%2e%2e/admin")]
    [InlineData("/%2E%2E/admin")]
    [InlineData("/.%2e/admin")]
    [InlineData("/v1/%2e%2e%2fadmin")]
    [InlineData("/v1/x%2F..%2Fadmin")]
    [InlineData("/v1/..;/admin")]
    [InlineData("/v1\\..\\admin")]
    [InlineData("/v1/%5c..%5cadmin")]
    [InlineData("/v1/%00")]
    [InlineData("/v1/%0d%0aHost:%20evil")]
    [InlineData("/v1/%zz")]
    public void Refuses_paths_that_could_climb_out_of_the_base(string tail) => Assert.NotNull(PathSafety.FindProblem(tail));
}
