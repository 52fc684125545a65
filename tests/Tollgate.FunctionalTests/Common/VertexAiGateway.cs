using Tollgate.FunctionalTests.FakeProviders;

namespace Tollgate.FunctionalTests.Common;

/// <summary>A fake Google token server, a fake Vertex AI that takes its tokens, and a gateway configured to use both.</summary>
public sealed class VertexAiGateway : IAsyncDisposable
{
    /// <summary>The shared service account's <c>project_id</c>.</summary>
    public const string Project = "tollgate-test-project";

    private VertexAiGateway(FakeGoogleTokenServer tokens, FakeVertexAi vertex, GatewayTestEnvironment gateway)
    {
        Tokens = tokens;
        Vertex = vertex;
        Gateway = gateway;
    }

    public FakeGoogleTokenServer Tokens { get; }

    public FakeVertexAi Vertex { get; }

    public GatewayTestEnvironment Gateway { get; }

    /// <summary>
    /// Starts all three. Without <paramref name="yaml"/> the gateway has a <c>default_vertex_config</c>
    /// (the key file, <see cref="Project"/>, <c>us-central1</c>) and <c>api_base</c> at the fake.
    /// </summary>
    /// <param name="yaml">The config after the key settings, given the token server and the fake Vertex.</param>
    /// <param name="environment">The gateway's environment, given the token server.</param>
    public static async Task<VertexAiGateway> StartAsync(
        Func<FakeGoogleTokenServer, FakeVertexAi, string>? yaml = null,
        Func<FakeGoogleTokenServer, IReadOnlyDictionary<string, string>>? environment = null)
    {
        var tokens = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        var vertex = await FakeVertexAi.StartAsync(tokens).DefaultTimeout();
        var config = yaml?.Invoke(tokens, vertex) ?? DefaultConfig(tokens.WriteServiceAccountFile(), vertex.Origin);
        var gateway = await GatewayTestEnvironment.StartWithKeysAsync(config, environment?.Invoke(tokens)).DefaultTimeout();
        return new VertexAiGateway(tokens, vertex, gateway);
    }

    /// <summary>A <c>default_vertex_config</c> with the given credentials and an <c>api_base</c>.</summary>
    public static string DefaultConfig(string credentials, string apiBase, string project = Project, string location = "us-central1") =>
        $$"""
        default_vertex_config:
          vertex_project: {{project}}
          vertex_location: {{location}}
          vertex_credentials: {{credentials}}
        pass_through_providers:
          vertex_ai: { api_base: "{{apiBase}}" }
        """;

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Vertex.DisposeAsync();
        await Tokens.DisposeAsync();
    }
}
