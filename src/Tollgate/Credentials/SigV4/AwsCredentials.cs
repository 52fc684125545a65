namespace Tollgate.Credentials.SigV4;

/// <summary>The AWS credentials the gateway signs with; <see cref="ToString"/> never prints the secret or the session token.</summary>
/// <param name="AccessKeyId">The access key id (<c>AKIA…</c> or <c>ASIA…</c>); it appears in the Authorization header.</param>
/// <param name="SecretAccessKey">The secret key; only ever used as HMAC key material.</param>
/// <param name="SessionToken">The STS session token for temporary credentials, or null; sent and signed as <c>x-amz-security-token</c>.</param>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    // Records print every member by default; credentials end up in logs and exception messages.
    public override string ToString() =>
        $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SecretAccessKey = ***, SessionToken = {(SessionToken is null ? "none" : "***")} }}";
}
