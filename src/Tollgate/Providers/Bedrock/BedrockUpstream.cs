using Tollgate.Configuration;
using Tollgate.Credentials.SigV4;
using Tollgate.Routing;

namespace Tollgate.Providers.Bedrock;

/// <summary>
/// Bedrock's upstream, from the config and the AWS environment variables LiteLLM reads: the runtime or
/// agent runtime host of the configured region, each request signed with AWS Signature V4.
/// </summary>
internal sealed class BedrockUpstream : IProviderUpstream
{
    private const string DefaultRuntimeBase = "https://bedrock-runtime.{region}.amazonaws.com";
    private const string DefaultAgentRuntimeBase = "https://bedrock-agent-runtime.{region}.amazonaws.com";
    private static readonly string[] RegionVariables = ["AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"];

    private static readonly string[] Fields =
        ["api_base", "agent_api_base", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region_name"];

    public IReadOnlyList<string> ConfigFields => Fields;

    public RouteUpstream Build(UpstreamBuildContext context)
    {
        var provider = context.Settings;
        var credentials = Credentials(provider, context.Environment, context.Errors);
        var region = Region(provider, context.Environment, context.Errors);

        string? problem = null;
        BedrockPreparer? preparer = null;
        if (credentials is null)
        {
            problem = "The bedrock route has no AWS credentials: set pass_through_providers.bedrock.aws_access_key_id and aws_secret_access_key "
                + "(or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables).";
        }
        else if (region is null)
        {
            problem = "The bedrock route has no AWS region: set pass_through_providers.bedrock.aws_region_name (or the AWS_REGION_NAME environment variable).";
        }
        else
        {
            var runtime = Target(provider?.ApiBase ?? DefaultRuntimeBase, region);
            var agentRuntime = Target(provider?.AgentApiBase ?? DefaultAgentRuntimeBase, region);
            preparer = new BedrockPreparer(credentials, region, runtime, agentRuntime, context.Limits, context.Time);
        }

        return new RouteUpstream
        {
            ConfigurationProblem = problem,
            Preparer = preparer,
            DropsAmzHeaders = true,
            Invoker = context.Invokers.For(context.Provider.Name),
        };
    }

    /// <summary>From the config when it names a key id, else from the environment; never half from each.</summary>
    private static AwsCredentials? Credentials(ProviderConfig? provider, Func<string, string?> environment, List<string> errors)
    {
        var fromConfig = provider is not null
            && (provider.AwsAccessKeyId ?? provider.AwsSecretAccessKey ?? provider.AwsSessionToken) is not null;
        var (id, secret, token, where) = fromConfig
            ? (provider!.AwsAccessKeyId, provider.AwsSecretAccessKey, provider.AwsSessionToken, "pass_through_providers.bedrock.aws_")
            : (environment("AWS_ACCESS_KEY_ID"), environment("AWS_SECRET_ACCESS_KEY"), environment("AWS_SESSION_TOKEN"), "AWS_");
        id = RouteTableBuilder.NonEmpty(id);
        secret = RouteTableBuilder.NonEmpty(secret);
        token = RouteTableBuilder.NonEmpty(token);

        if (id is null && secret is null)
        {
            if (token is not null)
            {
                errors.Add($"{Setting(where, "session_token")}: set without an access key id and secret access key");
            }

            return null;
        }

        if (id is null || secret is null)
        {
            errors.Add($"{Setting(where, id is null ? "access_key_id" : "secret_access_key")}: required with {Setting(where, id is null ? "secret_access_key" : "access_key_id")}");
            return null;
        }

        return new AwsCredentials(id, secret, token);
    }

    private static string Setting(string where, string suffix) => where == "AWS_" ? where + suffix.ToUpperInvariant() : where + suffix;

    private static string? Region(ProviderConfig? provider, Func<string, string?> environment, List<string> errors)
    {
        var (region, setting) = RouteTableBuilder.NonEmpty(provider?.AwsRegionName) is { } configured
            ? (configured, "pass_through_providers.bedrock.aws_region_name")
            : RegionVariables.Select(v => (RouteTableBuilder.NonEmpty(environment(v)), v)).FirstOrDefault(r => r.Item1 is not null);
        if (region is not null && !RegionName.IsValid(region))
        {
            errors.Add($"{setting}: '{region}' is not a region name (lower-case letters, digits and '-', e.g. us-east-1)");
            return null;
        }

        return region;
    }

    private static UpstreamTarget Target(string template, string region) =>
        new(new Uri(template.Replace("{region}", region, StringComparison.Ordinal)));
}
