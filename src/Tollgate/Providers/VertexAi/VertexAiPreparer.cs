using System.Collections.Concurrent;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.AspNetCore.Http;
using Tollgate.Calls;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Routing;

namespace Tollgate.Providers.VertexAi;

/// <summary>
/// Vertex AI: the host comes from the location in the path (validated before it can become part of a
/// host name), the credential from the (project, location) pair, and the bearer token is minted from
/// that credential's service account.
/// </summary>
internal sealed class VertexAiPreparer(
    IReadOnlyList<VertexCredential> credentials, VertexCredential? defaultCredential, string? apiBaseTemplate) : IUpstreamPreparer
{
    /// <summary>Locations seen so far; bounded because clients choose them.</summary>
    private const int MaxCachedLocations = 256;

    private readonly ConcurrentDictionary<string, UpstreamTarget> _targets = new(StringComparer.Ordinal);

    public async ValueTask<UpstreamPreparation> PrepareAsync(
        HttpContext context, PassThroughRoute route, RawRequestTarget target, bool dropKeyParameter, CancellationToken cancellationToken)
    {
        var tail = target.Tail.ToString();
        var parts = VertexPath.Parse(tail);
        var pathProject = parts.Project is { } p ? tail[p] : null;
        var pathLocation = parts.Location is { } l ? tail[l] : null;

        var credential = Choose(pathProject, pathLocation);
        if (credential is null)
        {
            return UpstreamPreparation.Fail(GatewayError.Misconfigured,
                "No Vertex AI credential serves this project: set pass_through_providers.vertex_ai.credentials or default_vertex_config "
                + "(or DEFAULT_VERTEXAI_PROJECT, DEFAULT_VERTEXAI_LOCATION and DEFAULT_GOOGLE_APPLICATION_CREDENTIALS).");
        }

        var location = pathLocation ?? credential.Location ?? credential.ConfiguredLocation;
        if (location is null)
        {
            return UpstreamPreparation.Fail(GatewayError.InvalidRequest,
                "The path names no Vertex AI location (…/locations/{location}/…) and the chosen credential has no vertex_location.");
        }

        if (!RegionName.IsValid(location))
        {
            return UpstreamPreparation.Fail(GatewayError.InvalidRequest,
                "The Vertex AI location in the path is not a location name (lower-case letters, digits and '-').");
        }

        // A request served by the default credential is billed to the configured project.
        if (parts.Project is { } projectRange && pathProject != credential.Project)
        {
            tail = string.Concat(tail.AsSpan(0, projectRange.Start.Value), credential.Project, tail.AsSpan(projectRange.End.Value));
        }

        var uri = UpstreamUriBuilder.TryBuild(TargetFor(location), QueryPolicy.PassThrough, tail, target.Query, dropKeyParameter, out var problem);
        if (uri is null)
        {
            return UpstreamPreparation.Fail(GatewayFailure.UnsafePath(problem));
        }

        try
        {
            var authorization = await credential.Tokens.GetAuthorizationAsync(cancellationToken);
            return new UpstreamPreparation(uri, authorization, null);
        }
        catch (Exception e) when (e is TokenResponseException or HttpRequestException or TimeoutException or InvalidOperationException)
        {
            return UpstreamPreparation.Fail(GatewayError.UpstreamCredential,
                $"Could not get a Google access token for {credential.Describe()}: {Reason(e)}");
        }
    }

    public void ApplyCredentials(HttpRequestMessage proxyRequest, PassThroughCall call) =>
        PassThroughTransformer.Replace(proxyRequest, "Authorization", (string)call.CredentialState!);

    private VertexCredential? Choose(string? project, string? location)
    {
        foreach (var credential in credentials)
        {
            if (credential.Project == project && (credential.Location is null || credential.Location == location))
            {
                return credential;
            }
        }

        return defaultCredential;
    }

    private UpstreamTarget TargetFor(string location)
    {
        if (_targets.TryGetValue(location, out var cached))
        {
            return cached;
        }

        var created = new UpstreamTarget(new Uri(VertexLocation.BaseUrl(location, apiBaseTemplate)));
        if (_targets.Count < MaxCachedLocations)
        {
            _targets.TryAdd(location, created);
        }

        return created;
    }

    private static string Reason(Exception e) => e switch
    {
        TokenResponseException token => $"the token endpoint answered {(int?)token.StatusCode} {token.Error?.Error} {token.Error?.ErrorDescription}".TrimEnd(),
        TimeoutException => "the token endpoint did not answer in time",
        _ => e.Message,
    };
}
