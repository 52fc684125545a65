using System.Text;
using BenchmarkDotNet.Attributes;
using Tollgate.Credentials.SigV4;

namespace Tollgate.Benchmarks;

/// <summary>
/// Signing a Bedrock Converse call with temporary credentials, as the Bedrock route does for every request:
/// hashing the 1 KB body, then the canonical request, the string to sign and the HMAC chain (deriving the
/// signing key each time, or with the day's key kept as the route keeps it).
/// </summary>
[MemoryDiagnoser]
public class SigV4Benchmarks
{
    private static readonly AwsCredentials Credentials = new("ASIAEXAMPLEEXAMPLE12", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "IQoJb3JpZ2luX2VjEXAMPLE-session-token");

    private readonly byte[] _body = Encoding.UTF8.GetBytes(
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"" + new string('x', 900) + "\"}]}],\"inferenceConfig\":{\"maxTokens\":512}}");

    private string _bodyHash = "";

    [GlobalSetup]
    public void Setup() => _bodyHash = AwsSigV4Signer.Sha256Hex(_body);

    [Benchmark]
    public string HashBody() => AwsSigV4Signer.Sha256Hex(_body);

    private readonly AwsSigningKeyCache _signingKeys = new();

    [Benchmark]
    public string Sign() => AwsSigV4Signer.Sign(Request(null)).Authorization;

    /// <summary>As the Bedrock route signs: the day's signing key kept between requests.</summary>
    [Benchmark]
    public string SignWithDayKey() => AwsSigV4Signer.Sign(Request(_signingKeys)).Authorization;

    private AwsSigningRequest Request(AwsSigningKeyCache? signingKeys) => new()
    {
        Method = "POST",
        Host = "bedrock-runtime.us-east-1.amazonaws.com",
        Path = "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse",
        PayloadSha256Hex = _bodyHash,
        Credentials = Credentials,
        Region = "us-east-1",
        Service = "bedrock",
        Timestamp = new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero),
        AddContentSha256Header = true,
        SigningKeys = signingKeys,
    };
}
