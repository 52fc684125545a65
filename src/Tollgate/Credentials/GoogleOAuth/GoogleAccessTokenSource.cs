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
    private (string Token, string Header) _lastHeader = ("", "");

    public GoogleAccessTokenSource(GoogleServiceAccount account)
    {
        Account = account;
        _credential = new ServiceAccountCredential(
            new ServiceAccountCredential.Initializer(account.ClientEmail, account.TokenUri)
            {
                Scopes = [CloudPlatformScope],
                KeyId = account.PrivateKeyId,
                ProjectId = account.ProjectId,
            }.FromPrivateKey(account.PrivateKey));
    }

    public GoogleServiceAccount Account { get; }

    /// <summary>The <c>Authorization</c> value, <c>Bearer &lt;token&gt;</c>; the string is reused while the token is.</summary>
    public async Task<string> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        var token = await _credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).WaitAsync(TokenTimeout, cancellationToken);
        var last = _lastHeader;
        if (ReferenceEquals(last.Token, token))
        {
            return last.Header;
        }

        var header = "Bearer " + token;
        _lastHeader = (token, header);
        return header;
    }
}
