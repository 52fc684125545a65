using System.Text.Json;

namespace Tollgate.Credentials.GoogleOAuth;

/// <summary>The fields of a service-account key file that minting a token needs, validated at start-up.</summary>
internal sealed record GoogleServiceAccount(string ClientEmail, string PrivateKey, string? PrivateKeyId, string? ProjectId, string TokenUri)
{
    public const string DefaultTokenUri = "https://oauth2.googleapis.com/token";

    /// <summary>Reads <c>vertex_credentials</c>: inline JSON, or a path to the key file.</summary>
    /// <param name="value">The setting's value.</param>
    /// <param name="setting">Its config path, for error messages (never the key itself).</param>
    /// <param name="errors">Problems are added here.</param>
    public static GoogleServiceAccount? Load(string value, string setting, List<string> errors)
    {
        var json = value.TrimStart();
        if (!json.StartsWith('{'))
        {
            try
            {
                json = File.ReadAllText(value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                errors.Add($"{setting}: cannot read the service-account file '{value}': {e.Message}");
                return null;
            }
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            string? Field(string name) =>
                root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

            if (Field("type") != "service_account")
            {
                errors.Add($"{setting}: not a service-account key (\"type\" must be \"service_account\")");
                return null;
            }

            var email = Field("client_email");
            var key = Field("private_key");
            if (email is null || key is null)
            {
                errors.Add($"{setting}: the service-account key lacks client_email or private_key");
                return null;
            }

            var tokenUri = Field("token_uri") ?? DefaultTokenUri;
            if (!Uri.TryCreate(tokenUri, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add($"{setting}: token_uri is not an http(s) URL");
                return null;
            }

            return new GoogleServiceAccount(email, key, Field("private_key_id"), Field("project_id"), tokenUri);
        }
        catch (JsonException e)
        {
            errors.Add($"{setting}: the service-account key is not valid JSON (line {e.LineNumber + 1})");
            return null;
        }
    }

    /// <summary>Never print the private key.</summary>
    public override string ToString() => $"service account {ClientEmail}";
}
