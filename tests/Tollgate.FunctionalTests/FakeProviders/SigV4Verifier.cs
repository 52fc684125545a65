using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime.Internal.Auth;
using Microsoft.AspNetCore.Http;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Checks an AWS Signature Version 4 <c>Authorization</c> header the way an AWS front end does, from
/// the request exactly as it arrived: the canonical request is rebuilt here from the raw request
/// target, the signed headers and the SHA-256 of the received body, and AWSSDK.Core's
/// <see cref="AWS4Signer.ComputeSignature(string, string, string, DateTime, string, string, string)"/>
/// turns it into the signature the caller must have sent.
/// </summary>
public sealed class SigV4Verifier(string accessKeyId, string secretAccessKey, string? sessionToken, string region, string service, TimeProvider time)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const string InvalidSignature = "InvalidSignatureException";
    private const string UnrecognizedClient = "UnrecognizedClientException";
    private const string IncompleteSignature = "IncompleteSignatureException";
    private static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    /// <summary>The message AWS gives for a signature that does not match.</summary>
    public const string MismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    /// <summary>
    /// Null when AWS would accept the request, else the <c>x-amzn-ErrorType</c> and message it would
    /// answer 403 with, plus a detail (e.g. the expected canonical request) for test diagnostics.
    /// </summary>
    /// <param name="rawTarget">The request line's target as on the wire (<c>IHttpRequestFeature.RawTarget</c>).</param>
    /// <param name="body">The body bytes exactly as received.</param>
    public SigV4Rejection? Check(HttpRequest request, string rawTarget, byte[] body)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return new("MissingAuthenticationTokenException", "Missing Authentication Token", "no Authorization header");
        }

        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return new(IncompleteSignature, $"Authorization header requires '{Algorithm}'.", authorization);
        }

        var fields = authorization[Algorithm.Length..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("Credential", out var credential)
            || !fields.TryGetValue("SignedHeaders", out var signedHeaders)
            || !fields.TryGetValue("Signature", out var signature))
        {
            return new(IncompleteSignature, "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.", authorization);
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return new(IncompleteSignature, "Credential should have five parts ending in aws4_request.", credential);
        }

        if (scope[0] != accessKeyId)
        {
            return new(UnrecognizedClient, "The security token included in the request is invalid.", $"access key id {scope[0]}");
        }

        if (scope[2] != region)
        {
            return new(InvalidSignature, $"Credential should be scoped to a valid region, not '{scope[2]}'.", credential);
        }

        if (scope[3] != service)
        {
            return new(InvalidSignature, $"Credential should be scoped to correct service: '{service}'.", credential);
        }

        if (!DateTime.TryParseExact(request.Headers["x-amz-date"].ToString(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            return new(IncompleteSignature, "Authorization header requires existence of a valid 'X-Amz-Date' header.", request.Headers["x-amz-date"].ToString());
        }

        if (scope[1] != signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
        {
            return new(InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.", credential);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if ((now - signedAt).Duration() > MaxSkew)
        {
            return new(InvalidSignature, $"Signature expired: {signedAt:yyyyMMdd'T'HHmmss'Z'} is now earlier than {now - MaxSkew:yyyyMMdd'T'HHmmss'Z'}.", "x-amz-date outside five minutes");
        }

        if (request.Headers["x-amz-security-token"].ToString() != (sessionToken ?? ""))
        {
            return new(UnrecognizedClient, "The security token included in the request is invalid.", "x-amz-security-token missing or different");
        }

        var signedNames = signedHeaders.Split(';');
        if (!signedNames.Contains("host"))
        {
            return new(InvalidSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", signedHeaders);
        }

        var canonicalRequest = CanonicalRequest(request, rawTarget, signedNames, body);
        var expected = AWS4Signer.ComputeSignature(accessKeyId, secretAccessKey, region, signedAt, service, signedHeaders, canonicalRequest).Signature;
        return expected == signature
            ? null
            : new(InvalidSignature, MismatchMessage, "The canonical request should have been:\n" + canonicalRequest);
    }

    private static string CanonicalRequest(HttpRequest request, string rawTarget, string[] signedNames, byte[] body)
    {
        var queryAt = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryAt < 0 ? rawTarget : rawTarget[..queryAt];
        var rawQuery = queryAt < 0 ? "" : rawTarget[(queryAt + 1)..];

        var builder = new StringBuilder()
            .Append(request.Method).Append('\n')
            // Non-S3 services encode the path once more as received, so an ARN's %2F is signed as %252F.
            .Append(rawPath.Length == 0 ? "/" : UriEncode(rawPath, keepSlash: true)).Append('\n')
            .Append(CanonicalQuery(rawQuery)).Append('\n');
        foreach (var name in signedNames)
        {
            var values = request.Headers[name].Select(v => string.Join(' ', (v ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)));
            builder.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        return builder
            .Append('\n')
            .Append(string.Join(';', signedNames)).Append('\n')
            .Append(Convert.ToHexStringLower(SHA256.HashData(body)))
            .ToString();
    }

    private static string CanonicalQuery(string rawQuery) => string.Join('&', rawQuery
        .Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .Select(kv => (Name: UriEncode(Uri.UnescapeDataString(kv[0]), keepSlash: false), Value: UriEncode(Uri.UnescapeDataString(kv.Length > 1 ? kv[1] : ""), keepSlash: false)))
        .OrderBy(kv => kv.Name, StringComparer.Ordinal)
        .ThenBy(kv => kv.Value, StringComparer.Ordinal)
        .Select(kv => kv.Name + "=" + kv.Value));

    /// <summary>SigV4's URI encoding: every byte except A-Z a-z 0-9 - . _ ~ (and / when asked) as upper-case %XX.</summary>
    private static string UriEncode(string text, bool keepSlash)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
