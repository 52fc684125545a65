using Google.Apis.Auth.OAuth2;

namespace Tollgate.Credentials.GoogleOAuth;

/// <summary>
/// Access tokens for one service account (scope <c>cloud-platform</c>), minted with the jwt-bearer
/// grant at the key's own <c>token_uri</c>. Google.Apis.Auth caches the token, refreshes it shortly
/// before expiry, and lets one refresh run while every other caller awaits it.
/// </summary>
internal sealed class GoogleAccessTokenSource
{
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    /// <summary>A token endpoint slower than this fails the request instead of holding it.</summary>
    private static readonly TimeSpan TokenTimeout = TimeSpan.FromSeconds(30);

    private readonly ServiceAccountCredential _credential;

    // One reference, swapped whole: a token and the header made from it can never be read half-updated.
    private AuthorizationHeader? _lastHeader;

    private GoogleAccessTokenSource(GoogleServiceAccount account, ServiceAccountCredential credential)
    {
        Account = account;
        _credential = credential;
    }

    public GoogleServiceAccount Account { get; }

    /// <summary>The token source for <paramref name="account"/>, or null with an error naming <paramref name="setting"/> when its private key cannot be used.</summary>
    /// <param name="account">The validated key file.</param>
    /// <param name="setting">Its config path, for error messages (never the key itself).</param>
    /// <param name="errors">Problems are added here.</param>
    public static GoogleAccessTokenSource? TryCreate(GoogleServiceAccount account, string setting, List<string> errors)
    {
        try
        {
            var credential = new ServiceAccountCredential(
                new ServiceAccountCredential.Initializer(account.ClientEmail, account.TokenUri)
                {
                    Scopes = [CloudPlatformScope],
                    KeyId = account.PrivateKeyId,
                    ProjectId = account.ProjectId,
                }.FromPrivateKey(account.PrivateKey));
            return new GoogleAccessTokenSource(account, credential);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Google.Apis.Auth's own PKCS#8 reader throws whatever a bad key provokes (NotSupported, InvalidData,
            // Format, Cryptographic…); each means the same to the user. Its message is about the key's bytes, so it is left out.
            errors.Add($"{setting}: private_key is not a PEM-encoded RSA private key");
            return null;
        }
    }

    /// <summary>The <c>Authorization</c> value, <c>Bearer &lt;token&gt;</c>; the string is reused while the token is.</summary>
    /// <exception cref="InvalidOperationException">The token endpoint answered without an access token.</exception>
    public async Task<string> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        var token = await _credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).WaitAsync(TokenTimeout, cancellationToken);
        if (string.IsNullOrEmpty(token))
        {
            // Forwarding "Bearer " would send the request without a credential.
            throw new InvalidOperationException("the token endpoint answered without an access_token");
        }

        var last = Volatile.Read(ref _lastHeader);
        if (last is not null && ReferenceEquals(last.Token, token))
        {
            return last.Value;
        }

        var header = new AuthorizationHeader(token, "Bearer " + token);
        Volatile.Write(ref _lastHeader, header);
        return header.Value;
    }

    /// <summary>A class, not a record: nothing should ever print it.</summary>
    private sealed class AuthorizationHeader(string token, string value)
    {
        public string Token { get; } = token;

        public string Value { get; } = value;
    }
}
