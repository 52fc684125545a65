using Tollgate.Keys;

namespace Tollgate.Tests.Keys;

public sealed class ModelEndpointsTests
{
    [Theory]
    [InlineData("POST", "/v1/chat/completions", "BodyModel")]
    [InlineData("POST", "/v1/responses", "BodyModel")]
    [InlineData("POST", "/v1/audio/transcriptions", "BodyModel")]
    [InlineData("POST", "/v1/messages", "BodyModel")]
    [InlineData("POST", "/v2/rerank", "BodyModel")]
    [InlineData("POST", "/v1/projects/p/locations/l/endpoints/openapi/chat/completions", "BodyModel")]
    [InlineData("GET", "/v1/models", "NoModel")]
    [InlineData("DELETE", "/v1/files/file-1", "NoModel")]
    [InlineData("POST", "/v1/files", "NoModel")]
    [InlineData("POST", "/upload/v1beta/files", "NoModel")]
    [InlineData("POST", "/v1/messages/batches", "Unknown")]
    [InlineData("POST", "/v1/batches", "Unknown")]
    [InlineData("POST", "/v1/threads/runs", "Unknown")]
    [InlineData("POST", "/v1/realtime/client_secrets", "Unknown")]
    [InlineData("POST", "/v1beta/tunedModels/t:generateContent", "Unknown")]
    [InlineData("POST", "/v1/projects/p/locations/l/endpoints/123:predict", "Unknown")]
    [InlineData("POST", "/async-invoke", "Unknown")]
    [InlineData("POST", "/retrieveAndGenerate", "Unknown")]
    [InlineData("POST", "/v1/conversations", "Unknown")]
    public void Sorts_operations_by_where_they_take_their_model(string method, string path, string kind) =>
        Assert.Equal(kind, ModelEndpoints.Classify(method, path, isUpgrade: false).ToString());

    [Fact]
    public void A_websocket_session_is_never_a_plain_read() =>
        Assert.Equal(ModelEndpoints.Kind.Unknown, ModelEndpoints.Classify("GET", "/v1/realtime", isUpgrade: true));
}
