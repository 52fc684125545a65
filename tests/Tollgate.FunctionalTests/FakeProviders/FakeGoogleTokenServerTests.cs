using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Time.Testing;
using Tollgate.FunctionalTests.Common;

namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>The fake Google token server accepts what Google.Apis.Auth sends and refuses what Google would.</summary>
public sealed class FakeGoogleTokenServerTests
{
    [Fact]
    public async Task GoogleApisAuth_GetsAFreshTokenPerCall_FromJsonAndFromFile()
    {
        await using var server = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();

        var fromJson = await FetchTokenAsync(CredentialFactory.FromJson<ServiceAccountCredential>(server.ServiceAccountJson())).DefaultTimeout();
        var fromFile = await FetchTokenAsync(CredentialFactory.FromFile<ServiceAccountCredential>(server.WriteServiceAccountFile())).DefaultTimeout();

        Assert.Equal(["ya29.fake-1", "ya29.fake-2"], [fromJson, fromFile]);
        Assert.Equal([fromJson, fromFile], server.IssuedTokens);
        Assert.True(server.IsIssued(fromJson));
        Assert.Equal(2, server.TokenRequestCount);
        var form = server.Upstream.LastRequest.BodyText;
        Assert.Contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer", form);
        Assert.Contains("assertion=", form);
    }

    [Fact]
    public async Task Answers_InGooglesTokenShape()
    {
        await using var server = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        using var client = new HttpClient();

        using var response = await PostAssertionAsync(client, server, SignJwt(Claims(server), server.PrivateKeyId)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"access_token":"ya29.fake-1","expires_in":3599,"token_type":"Bearer"}""", await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    public static TheoryData<string> BadAssertions() =>
    [
        "tampered-claims",
        "wrong-kid",
        "wrong-iss",
        "wrong-aud",
        "no-cloud-platform-scope",
        "lifetime-over-an-hour",
        "expired",
        "garbage",
    ];

    [Theory]
    [MemberData(nameof(BadAssertions))]
    public async Task RefusesAssertions_GoogleWouldRefuse(string flaw)
    {
        await using var server = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        using var client = new HttpClient();
        var claims = Claims(server);
        var kid = server.PrivateKeyId;
        switch (flaw)
        {
            case "wrong-kid": kid = "ffffffffffffffffffffffffffffffffffffffff"; break;
            case "wrong-iss": claims["iss"] = "someone@else.iam.gserviceaccount.com"; break;
            case "wrong-aud": claims["aud"] = "https://accounts.example.com/token"; break;
            case "no-cloud-platform-scope": claims["scope"] = "https://www.googleapis.com/auth/userinfo.email"; break;
            case "lifetime-over-an-hour": claims["exp"] = (long)claims["iat"]! + 3601; break;
            case "expired":
                claims["iat"] = (long)claims["iat"]! - 7200;
                claims["exp"] = (long)claims["iat"]! + 3600;
                break;
        }

        var jwt = flaw == "garbage" ? "not-a-jwt" : SignJwt(claims, kid);
        if (flaw == "tampered-claims")
        {
            // Swap in different claims but keep the signature made over the original ones.
            claims["scope"] = FakeGoogleTokenServer.CloudPlatformScope + " https://www.googleapis.com/auth/admin";
            var parts = jwt.Split('.');
            jwt = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()))}.{parts[2]}";
        }

        using var response = await PostAssertionAsync(client, server, jwt).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().DefaultTimeout());
        Assert.Equal("invalid_grant", error.RootElement.GetProperty("error").GetString());
        Assert.Empty(server.IssuedTokens);
    }

    [Fact]
    public async Task RefusesOtherGrantTypes()
    {
        await using var server = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        using var client = new HttpClient();

        using var response = await client.PostAsync(server.TokenUri, new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" })).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unsupported_grant_type", await response.Content.ReadAsStringAsync().DefaultTimeout());
    }

    [Fact]
    public async Task JudgesIatAndExp_ByTheGivenClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(3));
        await using var server = await FakeGoogleTokenServer.StartAsync(clock).DefaultTimeout();
        using var client = new HttpClient();

        using var stale = await PostAssertionAsync(client, server, SignJwt(Claims(server), server.PrivateKeyId)).DefaultTimeout();
        using var current = await PostAssertionAsync(client, server, SignJwt(Claims(server, clock.GetUtcNow()), server.PrivateKeyId)).DefaultTimeout();

        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task FailAllRequests_Answers500_AndStillCounts()
    {
        await using var server = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        server.FailAllRequests = true;

        using var client = new HttpClient();

        using var response = await PostAssertionAsync(client, server, SignJwt(Claims(server), server.PrivateKeyId)).DefaultTimeout();
        await Assert.ThrowsAsync<TokenResponseException>(() => FetchTokenAsync(CredentialFactory.FromJson<ServiceAccountCredential>(server.ServiceAccountJson()))).DefaultTimeout();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        // The SDK retries a 5xx, so it made at least one request of its own.
        Assert.True(server.TokenRequestCount >= 2);
        Assert.Empty(server.IssuedTokens);
    }

    [Fact]
    public async Task Delay_HoldsEachAnswer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await FakeGoogleTokenServer.StartAsync(time).DefaultTimeout();
        server.Delay = TimeSpan.FromMilliseconds(300);
        using var client = new HttpClient();

        var answer = PostAssertionAsync(client, server, SignJwt(Claims(server), server.PrivateKeyId));
        await Poll.UntilAsync(() => server.TokenRequestCount == 1, () => "the request never reached the server");
        time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(answer.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await answer.DefaultTimeout();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ServiceAccountJson_IsTheFixture_WithTokenUriPointingHere()
    {
        await using var server = await FakeGoogleTokenServer.StartAsync().DefaultTimeout();
        var fixture = JsonNode.Parse(SharedFixtures.ReadText("google", "service_account.json"))!;

        var json = JsonNode.Parse(server.ServiceAccountJson())!;
        var path = server.WriteServiceAccountFile();
        var file = JsonNode.Parse(await File.ReadAllTextAsync(path).DefaultTimeout())!;

        Assert.Equal(server.TokenUri, (string?)json["token_uri"]);
        Assert.Equal((string?)fixture["private_key"], (string?)json["private_key"]);
        Assert.True(JsonNode.DeepEquals(json, file));
        await server.DisposeAsync();
        Assert.False(File.Exists(path));
    }

    private static async Task<string> FetchTokenAsync(ServiceAccountCredential credential)
    {
        ITokenAccess scoped = credential.ToGoogleCredential().CreateScoped(FakeGoogleTokenServer.CloudPlatformScope);
        return await scoped.GetAccessTokenForRequestAsync();
    }

    private static JsonObject Claims(FakeGoogleTokenServer server, DateTimeOffset? now = null)
    {
        var iat = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = server.ClientEmail,
            ["scope"] = FakeGoogleTokenServer.CloudPlatformScope,
            ["aud"] = server.TokenUri,
            ["iat"] = iat,
            ["exp"] = iat + 3600,
        };
    }

    /// <summary>An RS256 JWT signed with the fixture account's private key, made by hand to vary what Google.Apis.Auth would not.</summary>
    private static string SignJwt(JsonObject claims, string kid)
    {
        var account = JsonNode.Parse(SharedFixtures.ReadText("google", "service_account.json"))!;
        using var key = RSA.Create();
        key.ImportFromPem((string)account["private_key"]!);
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = kid };
        var signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static Task<HttpResponseMessage> PostAssertionAsync(HttpClient client, FakeGoogleTokenServer server, string assertion) =>
        client.PostAsync(server.TokenUri, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ["assertion"] = assertion,
        }));
}
