using Tollgate.Configuration;
using Tollgate.Credentials.GoogleOAuth;
using Tollgate.Routing;

namespace Tollgate.Providers.VertexAi;

/// <summary>
/// Vertex AI's upstream, from the config and LiteLLM's environment fallbacks: the host comes from the
/// path's location and the OAuth token from the credential for its (project, location), per request.
/// </summary>
internal sealed class VertexAiUpstream : IProviderUpstream
{
    private static readonly string[] Fields = ["api_base", "credentials"];

    public IReadOnlyList<string> ConfigFields => Fields;

    public RouteUpstream Build(UpstreamBuildContext context)
    {
        var (config, environment, errors) = (context.Config, context.Environment, context.Errors);
        var provider = context.Settings;
        var credentials = new List<VertexCredential>();
        for (var i = 0; i < (provider?.VertexCredentials.Count ?? 0); i++)
        {
            var setting = $"pass_through_providers.vertex_ai.credentials[{i}]";
            if (Load(provider!.VertexCredentials[i], setting, errors) is { } credential)
            {
                if (credential.Location is null)
                {
                    errors.Add($"{setting}.vertex_location: required, credentials are chosen by (project, location)");
                }

                credentials.Add(credential);
            }
        }

        var defaultConfig = config.DefaultVertex ?? new VertexConfig
        {
            Project = RouteTableBuilder.NonEmpty(environment("DEFAULT_VERTEXAI_PROJECT")),
            Location = RouteTableBuilder.NonEmpty(environment("DEFAULT_VERTEXAI_LOCATION")),
            Credentials = RouteTableBuilder.NonEmpty(environment("DEFAULT_GOOGLE_APPLICATION_CREDENTIALS"))
                ?? RouteTableBuilder.NonEmpty(environment("GOOGLE_APPLICATION_CREDENTIALS")),
        };
        var defaultCredential = defaultConfig.Credentials is null
            ? null
            : Load(defaultConfig, config.DefaultVertex is null ? "DEFAULT_GOOGLE_APPLICATION_CREDENTIALS" : "default_vertex_config", errors) is { } loaded
                ? loaded with { Location = null, ConfiguredLocation = defaultConfig.Location }
                : null;

        var configured = credentials.Count > 0 || defaultCredential is not null;
        return new RouteUpstream
        {
            ConfigurationProblem = configured ? null
                : "The vertex_ai route has no credential: set pass_through_providers.vertex_ai.credentials, default_vertex_config, "
                  + "or DEFAULT_VERTEXAI_PROJECT, DEFAULT_VERTEXAI_LOCATION and DEFAULT_GOOGLE_APPLICATION_CREDENTIALS.",
            Preparer = new VertexAiPreparer(credentials, defaultCredential, RouteTableBuilder.NonEmpty(provider?.ApiBase)),
            Invoker = context.Invokers.For(context.Provider.Name),
        };
    }

    private static VertexCredential? Load(VertexConfig entry, string setting, List<string> errors)
    {
        if (entry.Credentials is null)
        {
            errors.Add($"{setting}.vertex_credentials: required (a service-account JSON file path or inline JSON)");
            return null;
        }

        if (entry.Location is not null && !RegionName.IsValid(entry.Location))
        {
            errors.Add($"{setting}.vertex_location: '{entry.Location}' is not a location name (lower-case letters, digits and '-')");
            return null;
        }

        var account = GoogleServiceAccount.Load(entry.Credentials, setting + ".vertex_credentials", errors);
        if (account is null)
        {
            return null;
        }

        var project = entry.Project ?? account.ProjectId;
        if (project is null)
        {
            errors.Add($"{setting}.vertex_project: required (the service-account key names no project_id)");
            return null;
        }

        var tokens = GoogleAccessTokenSource.TryCreate(account, setting + ".vertex_credentials", errors);
        return tokens is null ? null : new VertexCredential(project, entry.Location, tokens, setting);
    }
}
