namespace Tollgate.Credentials.SigV4;

/// <summary>
/// The headers to set on a signed request, plus the intermediate strings for tests and diagnostics.
/// <see cref="ToString"/> leaves out the session token and the canonical request (which carries it).
/// </summary>
internal sealed class AwsSignature
{
    /// <summary>The full <c>Authorization</c> header value: <c>AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c>.</summary>
    public required string Authorization { get; init; }

    /// <summary>The <c>x-amz-date</c> header value, <c>yyyyMMddTHHmmssZ</c> in UTC.</summary>
    public required string AmzDate { get; init; }

    /// <summary>The <c>x-amz-security-token</c> header value; null when the credentials have no session token.</summary>
    public string? SecurityToken { get; init; }

    /// <summary>The <c>x-amz-content-sha256</c> header value; null unless <see cref="AwsSigningRequest.AddContentSha256Header"/>.</summary>
    public string? ContentSha256 { get; init; }

    /// <summary>The canonical request that was hashed (contains the session token, if any: do not log).</summary>
    public required string CanonicalRequest { get; init; }

    /// <summary>The string whose HMAC is the signature.</summary>
    public required string StringToSign { get; init; }

    public override string ToString() =>
        $"AwsSignature {{ Authorization = {Authorization}, AmzDate = {AmzDate}, SecurityToken = {(SecurityToken is null ? "none" : "***")}, ContentSha256 = {ContentSha256 ?? "none"} }}";
}
