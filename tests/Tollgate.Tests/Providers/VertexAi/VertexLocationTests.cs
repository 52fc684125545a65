using Tollgate.Providers.VertexAi;

namespace Tollgate.Tests.Providers.VertexAi;

public sealed class VertexLocationTests
{
    [Theory]
    [InlineData("global", "https://aiplatform.googleapis.com")]
    [InlineData("us", "https://aiplatform.us.rep.googleapis.com")]
    [InlineData("eu", "https://aiplatform.eu.rep.googleapis.com")]
    [InlineData("us-central1", "https://us-central1-aiplatform.googleapis.com")]
    [InlineData("europe-west4", "https://europe-west4-aiplatform.googleapis.com")]
    [InlineData("us-east5", "https://us-east5-aiplatform.googleapis.com")]
    public void Without_a_template_each_location_gets_googles_host(string location, string expected) =>
        Assert.Equal(expected, VertexLocation.BaseUrl(location, apiBaseTemplate: null));

    [Theory]
    [InlineData("https://{location}-aiplatform.googleapis.com", "europe-west4", "https://europe-west4-aiplatform.googleapis.com")]
    [InlineData("http://127.0.0.1:8080/{location}", "us-central1", "http://127.0.0.1:8080/us-central1")]
    [InlineData("https://vertex-proxy.internal", "us-central1", "https://vertex-proxy.internal")]
    public void A_template_fills_in_the_location_wherever_it_appears(string template, string location, string expected) =>
        Assert.Equal(expected, VertexLocation.BaseUrl(location, template));
}
