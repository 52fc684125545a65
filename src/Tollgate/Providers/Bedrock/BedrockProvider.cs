using Tollgate.Metering;

namespace Tollgate.Providers.Bedrock;

/// <summary><c>/bedrock</c>: Amazon Bedrock's runtime and agent runtime, signed with AWS Signature V4.</summary>
internal static class BedrockProvider
{
    public static readonly ProviderDefinition Definition = new()
    {
        Id = ProviderId.Bedrock,
        Name = "bedrock",
        RoutePrefixes = ["bedrock"],
        Upstream = new BedrockUpstream(),
        Dialect = UsageDialect.Bedrock,
        Pricing = new([], LitellmVariants: true),
    };
}
