using System.Net;
using System.Text;
using Tollgate.FunctionalTests.Common;
using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests;

/// <summary>The /assemblyai route: the real key goes in <c>Authorization</c> with no scheme, as AssemblyAI expects.</summary>
public sealed class AssemblyAiRouteTests : IAsyncLifetime
{
    private SingleProviderGateway _env = null!;

    private FakeUpstream AssemblyAi => _env.Upstream;

    private GatewayTestEnvironment Gateway => _env.Gateway;

    public async Task InitializeAsync() =>
        _env = await SingleProviderGateway.StartAsync("assemblyai", FakeAssemblyAi.HandleAsync, FakeAssemblyAi.ApiKey).DefaultTimeout();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task Raw_authorization_virtual_key_as_the_assemblyai_sdk_sends_it_is_swapped_for_the_raw_real_key()
    {
        var body = """{"audio_url":"https://example.invalid/audio.mp3","speaker_labels":true}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "assemblyai/v2/transcript")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", GatewayTestEnvironment.VirtualKey);

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeAssemblyAi.QueuedJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        var seen = AssemblyAi.LastRequest;
        Assert.Equal(FakeAssemblyAi.ApiKey, seen.Header("Authorization"));
        Assert.Equal(body, seen.BodyText);
        Assert.DoesNotContain(GatewayTestEnvironment.VirtualKey, seen.Everything);
    }

    [Fact]
    public async Task Transcript_is_fetched_by_id_with_a_bearer_virtual_key()
    {
        using var request = Gateway.Request(HttpMethod.Get, "assemblyai/v2/transcript/" + FakeAssemblyAi.TranscriptId);

        using var response = await Gateway.Client.SendAsync(request).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeAssemblyAi.CompletedJson, await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("/v2/transcript/" + FakeAssemblyAi.TranscriptId, AssemblyAi.LastRequest.RawTarget);
        Assert.Equal(FakeAssemblyAi.ApiKey, AssemblyAi.LastRequest.Header("Authorization"));
    }
}
