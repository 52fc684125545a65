using Tollgate.Providers.VertexAi;

namespace Tollgate.Tests.Providers.VertexAi;

public sealed class VertexPathTests
{
    [Theory]
    [InlineData("/v1/projects/p1/locations/us-central1/publishers/google/models/gemini:generateContent", "p1", "us-central1")]
    [InlineData("/v1beta1/projects/my-project/locations/global/endpoints/openapi/chat/completions", "my-project", "global")]
    [InlineData("/v1/projects/p1/locations/us-east5/publishers/anthropic/models/claude@1:rawPredict", "p1", "us-east5")]
    [InlineData("/v1/publishers/google/models/gemini-2.0-flash", null, null)]
    [InlineData("/v1/projects/p1/operations/123", "p1", null)]
    [InlineData("/v1/projects/p1/locations/", "p1", "")]
    [InlineData("/v1/projects/p1/locations/us/projects/p2/locations/eu", "p1", "us")]
    public void Finds_the_first_project_and_location(string path, string? project, string? location)
    {
        var parts = VertexPath.Parse(path);

        Assert.Equal(project, parts.Project is { } p ? path[p] : null);
        Assert.Equal(location, parts.Location is { } l ? path[l] : null);
    }
}
