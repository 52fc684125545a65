using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Plays Google's OAuth token endpoint (<c>POST /token</c>) for the shared test service account: it
/// checks the RS256 JWT-bearer assertion the way Google does (signature against the account's public
/// key, kid, iss, aud, scope, iat/exp) and mints a fresh <c>ya29.fake-N</c> token per call (see <see cref="TokenPrefix"/>), so a fake
/// Vertex AI can accept exactly the tokens handed out here.
/// </summary>
public sealed class FakeGoogleTokenServer : IAsyncDisposable
{
    /// <summary>The scope Vertex AI needs; the assertion's <c>scope</c> claim must contain it.</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    private const string GoogleTokenAudience = "https://oauth2.googleapis.com/token";

    private const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    // Google's own limit: an assertion may live at most an hour; clocks may disagree a little.
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly JsonObject _serviceAccount;
    private readonly RSA _publicKey;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<string> _issued = new();
    private readonly ConcurrentDictionary<string, bool> _issuedSet = new();
    private readonly ConcurrentQueue<string> _tempFiles = new();
    private FakeUpstream? _upstream;
    private int _requestCount;
    private int _tokenNumber;

    private FakeGoogleTokenServer(TimeProvider time)
    {
        _time = time;
        _serviceAccount = JsonNode.Parse(SharedFixtures.ReadText("google", "service_account.json"))!.AsObject();
        _publicKey = RSA.Create();
        _publicKey.ImportFromPem(SharedFixtures.ReadText("google", "public_key.pem"));
        ClientEmail = (string)_serviceAccount["client_email"]!;
        PrivateKeyId = (string)_serviceAccount["private_key_id"]!;
    }

    /// <summary>The server's Kestrel app and every request it received.</summary>
    public FakeUpstream Upstream => _upstream!;

    /// <summary><c>http://127.0.0.1:port/token</c>: the <c>token_uri</c> to give the client.</summary>
    public string TokenUri => Upstream.Origin + "/token";

    /// <summary>The service account's <c>client_email</c>: the JWT's required <c>iss</c>.</summary>
    public string ClientEmail { get; }

    /// <summary>The service account's <c>private_key_id</c>: the JWT header's required <c>kid</c>.</summary>
    public string PrivateKeyId { get; }

    /// <summary>Every access token handed out, oldest first.</summary>
    public IReadOnlyCollection<string> IssuedTokens => _issued;

    /// <summary>Every <c>POST /token</c> received, whether it succeeded, was refused or failed.</summary>
    public int TokenRequestCount => Volatile.Read(ref _requestCount);

    /// <summary>When true every token request gets the failure answer below (Google having a bad day). Default false.</summary>
    public bool FailAllRequests { get; set; }

    /// <summary>The status of the failure answer. Default 500; a 200 makes a malformed success.</summary>
    public int FailureStatusCode { get; set; } = 500;

    /// <summary>The <c>Content-Type</c> of the failure answer. Default JSON.</summary>
    public string FailureContentType { get; set; } = "application/json; charset=utf-8";

    /// <summary>The body of the failure answer. Default an OAuth error object; a proxy's HTML page is another kind.</summary>
    public string FailureBody { get; set; } = """{"error":"internal_failure","error_description":"Fake token server told to fail."}""";

    /// <summary>Wall-clock wait before answering each token request, e.g. to provoke a refresh stampede. Default zero.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The <c>expires_in</c> of issued tokens, in seconds. Default 3599, as Google answers.</summary>
    public int ExpiresInSeconds { get; set; } = 3599;

    /// <summary>
    /// What issued tokens start with, followed by a counter. Default <c>ya29.fake-</c>; give each of
    /// several servers its own so a token tells which one issued it.
    /// </summary>
    public string TokenPrefix { get; set; } = "ya29.fake-";

    /// <param name="time">The clock that judges the assertion's iat/exp; share the gateway's fake clock to test refresh.</param>
    public static async Task<FakeGoogleTokenServer> StartAsync(TimeProvider? time = null)
    {
        var server = new FakeGoogleTokenServer(time ?? TimeProvider.System);
        server._upstream = await FakeUpstream.StartAsync(server.HandleAsync).DefaultTimeout();
        return server;
    }

    /// <summary>True if this server issued <paramref name="token"/>.</summary>
    public bool IsIssued(string token) => _issuedSet.ContainsKey(token);

    /// <summary>The shared service-account JSON with <c>token_uri</c> pointing at this server.</summary>
    public string ServiceAccountJson()
    {
        var copy = _serviceAccount.DeepClone().AsObject();
        copy["token_uri"] = TokenUri;
        return copy.ToJsonString();
    }

    /// <summary>Writes <see cref="ServiceAccountJson"/> to a temp file (deleted on dispose) and returns its path.</summary>
    public string WriteServiceAccountFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tollgate-sa-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, ServiceAccountJson());
        _tempFiles.Enqueue(path);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        foreach (var path in _tempFiles)
        {
            File.Delete(path);
        }

        _publicKey.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != "/token" || !HttpMethods.IsPost(context.Request.Method))
        {
            await WriteJsonAsync(context, 404, """{"error":"not_found","error_description":"Only POST /token is served here."}""");
            return;
        }

        // The hold starts before the request is counted, so a test that sees the count can move the clock past it.
        var held = Delay > TimeSpan.Zero ? Task.Delay(Delay, _time, context.RequestAborted) : Task.CompletedTask;
        Interlocked.Increment(ref _requestCount);
        await held;

        if (FailAllRequests)
        {
            context.Response.StatusCode = FailureStatusCode;
            context.Response.ContentType = FailureContentType;
            await context.Response.WriteAsync(FailureBody);
            return;
        }

        if (!context.Request.HasFormContentType)
        {
            await RefuseAsync(context, "invalid_request", "Expected application/x-www-form-urlencoded.");
            return;
        }

        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != JwtBearerGrant)
        {
            await RefuseAsync(context, "unsupported_grant_type", $"Invalid grant_type: {form["grant_type"]}");
            return;
        }

        var audience = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}";
        var problem = CheckAssertion(form["assertion"].ToString(), audience);
        if (problem is not null)
        {
            await RefuseAsync(context, "invalid_grant", problem);
            return;
        }

        var token = $"{TokenPrefix}{Interlocked.Increment(ref _tokenNumber)}";
        _issuedSet[token] = true;
        _issued.Enqueue(token);
        await WriteJsonAsync(context, 200, JsonSerializer.Serialize(new { access_token = token, expires_in = ExpiresInSeconds, token_type = "Bearer" }));
    }

    /// <summary>Null when the assertion is one Google would accept, else why not.</summary>
    private string? CheckAssertion(string assertion, string audience)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return "Invalid JWT: expected three dot-separated parts.";
        }

        JsonElement header, claims;
        byte[] signature;
        try
        {
            header = JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[0]));
            claims = JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(parts[1]));
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return "Invalid JWT: " + e.Message;
        }

        if (StringClaim(header, "alg") != "RS256")
        {
            return "Invalid JWT: alg must be RS256.";
        }

        if (StringClaim(header, "kid") != PrivateKeyId)
        {
            return "Invalid JWT Signature: kid is not the service account's private_key_id.";
        }

        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!_publicKey.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "Invalid JWT Signature.";
        }

        if (StringClaim(claims, "iss") != ClientEmail)
        {
            return "Invalid JWT: iss is not the service account's client_email.";
        }

        // Google takes its own token URL as the audience whichever URL the assertion was posted to
        // (Google.Apis.Auth always signs that one); a self-addressed audience is accepted too.
        var aud = StringClaim(claims, "aud");
        if (aud != GoogleTokenAudience && aud != audience)
        {
            return $"Invalid JWT: aud must be {GoogleTokenAudience} or {audience}, not {aud}.";
        }

        if (StringClaim(claims, "scope")?.Split(' ').Contains(CloudPlatformScope) != true)
        {
            return "Invalid JWT: scope must include " + CloudPlatformScope + ".";
        }

        if (!claims.TryGetProperty("iat", out var iatElement) || !iatElement.TryGetInt64(out var iatSeconds)
            || !claims.TryGetProperty("exp", out var expElement) || !expElement.TryGetInt64(out var expSeconds))
        {
            return "Invalid JWT: iat and exp must be integers.";
        }

        var now = _time.GetUtcNow();
        var iat = DateTimeOffset.FromUnixTimeSeconds(iatSeconds);
        var exp = DateTimeOffset.FromUnixTimeSeconds(expSeconds);
        if (exp <= iat || exp - iat > MaxLifetime)
        {
            return "Invalid JWT: exp must be after iat and at most one hour later.";
        }

        if (iat > now + ClockSkew || exp < now - ClockSkew)
        {
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.";
        }

        return null;
    }

    private static string? StringClaim(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static Task RefuseAsync(HttpContext context, string error, string description) =>
        WriteJsonAsync(context, 400, JsonSerializer.Serialize(new { error, error_description = description }));

    private static Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(json);
    }
}
