namespace Tollgate.Credentials.SigV4;

/// <summary>
/// What <see cref="AwsSigV4Signer"/> signs: the request exactly as it will go on the wire, plus the
/// credentials, scope and time to sign it with.
/// </summary>
internal sealed class AwsSigningRequest
{
    /// <summary>The HTTP method as sent, e.g. <c>POST</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The Host header value as sent, including a non-default port (<c>localhost:8443</c>).</summary>
    public required string Host { get; init; }

    /// <summary>
    /// The path exactly as it goes on the wire, still percent-encoded, e.g.
    /// <c>/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.x/converse</c>.
    /// It is encoded once more for the canonical request (<c>%3A</c> becomes <c>%253A</c>), as AWS expects.
    /// </summary>
    public required string Path { get; init; }

    /// <summary>The raw query string without the leading <c>?</c>; empty when there is none.</summary>
    public string Query { get; init; } = "";

    /// <summary>
    /// Further headers to sign, as (name, value) pairs in the order sent; a name may repeat.
    /// Must not contain <c>host</c>, <c>x-amz-date</c>, <c>x-amz-security-token</c> or
    /// <c>x-amz-content-sha256</c>: the signer adds those itself. Empty by default.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Lower-case hex SHA-256 of the body bytes as sent (see <see cref="AwsSigV4Signer.Sha256Hex(ReadOnlySpan{byte})"/>).</summary>
    public required string PayloadSha256Hex { get; init; }

    public required AwsCredentials Credentials { get; init; }

    /// <summary>The region in the credential scope, e.g. <c>us-west-2</c>.</summary>
    public required string Region { get; init; }

    /// <summary>The service in the credential scope, e.g. <c>bedrock</c>.</summary>
    public required string Service { get; init; }

    /// <summary>The signing time; it becomes <c>x-amz-date</c> and the scope's date (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Remove <c>.</c>/<c>..</c> segments and repeated slashes before encoding the path. Default true (every service but S3).</summary>
    public bool NormalizePath { get; init; } = true;

    /// <summary>Sign and return an <c>x-amz-content-sha256</c> header carrying <see cref="PayloadSha256Hex"/>. Default false.</summary>
    public bool AddContentSha256Header { get; init; }

    /// <summary>Where the day's signing key is kept between requests signed with the same credentials; null derives it each time.</summary>
    public AwsSigningKeyCache? SigningKeys { get; init; }
}
