using Tollgate.Configuration;
using Tollgate.Routing;

namespace Tollgate.Providers;

/// <summary>
/// A provider at one host with a static API key: the key from <c>api_key</c> or LiteLLM's
/// <c>{prefix}_API_KEY</c>, the host from <c>api_base</c>, <c>{prefix}_API_BASE</c> or the default.
/// </summary>
/// <param name="Credential">Where the key goes on the upstream request.</param>
/// <param name="EnvironmentPrefix">LiteLLM's variable prefix: <c>{prefix}_API_KEY</c>, <c>{prefix}_API_BASE</c>.</param>
/// <param name="DefaultApiBase">Used when neither config nor environment names one; null when the provider has no public host.</param>
/// <param name="ApiKeyRequired">False for self-hosted servers that may run without a key.</param>
internal sealed record ApiKeyUpstream(CredentialStyle Credential, string EnvironmentPrefix, string? DefaultApiBase, bool ApiKeyRequired = true)
    : IProviderUpstream
{
    private static readonly string[] Fields = ["api_key", "api_base"];

    public IReadOnlyList<string> ConfigFields => Fields;

    public string ApiKeyVariable => EnvironmentPrefix + "_API_KEY";

    public string ApiBaseVariable => EnvironmentPrefix + "_API_BASE";

    public RouteUpstream Build(UpstreamBuildContext context)
    {
        var name = context.Provider.Name;
        var settings = context.Settings;
        var apiKey = RouteTableBuilder.NonEmpty(settings?.ApiKey) ?? RouteTableBuilder.NonEmpty(context.Environment(ApiKeyVariable));
        var apiBaseText = RouteTableBuilder.NonEmpty(settings?.ApiBase);
        if (apiBaseText is null && RouteTableBuilder.NonEmpty(context.Environment(ApiBaseVariable)) is { } fromEnvironment)
        {
            UrlRules.CheckBaseUrl(fromEnvironment, ApiBaseVariable, context.Errors);
            apiBaseText = fromEnvironment;
        }

        apiBaseText ??= DefaultApiBase;
        Uri? apiBase = null;
        if (apiBaseText is not null && !UrlRules.TryParseHttpUrl(apiBaseText, out apiBase, out _))
        {
            apiBase = null;
        }

        string? problem = null;
        if (apiBase is null)
        {
            problem = $"The {name} route has no upstream: set pass_through_providers.{name}.api_base or the {ApiBaseVariable} environment variable.";
        }
        else if (apiKey is null && ApiKeyRequired)
        {
            problem = $"The {name} route has no credential: set pass_through_providers.{name}.api_key or the {ApiKeyVariable} environment variable.";
        }

        var upstream = apiBase is null ? null : new UpstreamTarget(apiBase);
        return new RouteUpstream
        {
            Target = upstream,
            ConfigurationProblem = problem,
            CredentialHeader = apiKey is null ? null : CredentialHeader(apiKey),
            Query = Credential == CredentialStyle.QueryKey && apiKey is not null
                ? new QueryPolicy { AppendedParameter = "key=" + Uri.EscapeDataString(apiKey) }
                : QueryPolicy.PassThrough,
            Invoker = upstream is null ? null : context.Invokers.For(upstream.Origin),
        };
    }

    private KeyValuePair<string, string>? CredentialHeader(string apiKey) => Credential switch
    {
        CredentialStyle.BearerToken => new("Authorization", "Bearer " + apiKey),
        CredentialStyle.RawAuthorization => new("Authorization", apiKey),
        CredentialStyle.XApiKeyHeader => new("x-api-key", apiKey),
        CredentialStyle.ApiKeyHeader => new("api-key", apiKey),
        // The Gemini key travels in the query (QueryPolicy.AppendedParameter).
        CredentialStyle.QueryKey => null,
    };
}
