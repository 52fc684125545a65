using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Tollgate.Keys;

/// <summary>
/// Finds the virtual key in the first place that carries one (contract section 5, rule 1), and last in a
/// WebSocket handshake's <c>openai-insecure-api-key.</c> subprotocol (<see cref="WebSocketKeyProtocol"/>).
/// </summary>
internal static class VirtualKeyReader
{
    public const string LitellmApiKeyHeader = "x-litellm-api-key";
    public const string ApiKeyHeader = "api-key";
    public const string XApiKeyHeader = "x-api-key";
    public const string GoogApiKeyHeader = "x-goog-api-key";
    public const string ApimSubscriptionKeyHeader = "Ocp-Apim-Subscription-Key";
    public const string KeyQueryParameter = "key";

    /// <summary>The headers that can carry a key, besides <c>x-litellm-api-key</c> (never forwarded, as every <c>x-litellm-*</c>).</summary>
    public static readonly FrozenDictionary<string, KeyCarriers> CarrierHeaders = new Dictionary<string, KeyCarriers>
    {
        ["Authorization"] = KeyCarriers.AuthorizationHeader,
        [ApiKeyHeader] = KeyCarriers.ApiKeyHeader,
        [XApiKeyHeader] = KeyCarriers.XApiKeyHeader,
        [GoogApiKeyHeader] = KeyCarriers.GoogApiKeyHeader,
        [ApimSubscriptionKeyHeader] = KeyCarriers.ApimSubscriptionKeyHeader,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A query parameter read as a key: <c>key</c> in any casing, compared on the decoded name, as ASP.NET's
    /// <c>Request.Query</c> (which <see cref="Read"/> uses) matches it. Removing it takes the same rule.
    /// </summary>
    public static bool IsKeyParameter(ReadOnlySpan<char> decodedName) => decodedName.Equals(KeyQueryParameter, StringComparison.OrdinalIgnoreCase);

    public static string? Read(HttpRequest request, out VirtualKeySource source)
    {
        if (ReadFromHeaders(request, out source) is { } key)
        {
            return key;
        }

        if (request.QueryString.HasValue && NonEmpty(request.Query[KeyQueryParameter]) is { } query)
        {
            source = VirtualKeySource.KeyQueryParameter;
            return query;
        }

        if (NonEmpty(WebSocketKeyProtocol.Read(request.Headers[WebSocketKeyProtocol.HeaderName])) is { } subprotocol)
        {
            source = VirtualKeySource.WebSocketProtocol;
            return subprotocol;
        }

        return null;
    }

    /// <summary>The key from the headers only: where the admin API takes the master key (a URL ends up in logs).</summary>
    public static string? ReadFromHeaders(HttpRequest request, out VirtualKeySource source)
    {
        var headers = request.Headers;
        if (StripBearer(headers[LitellmApiKeyHeader]) is { } litellm)
        {
            source = VirtualKeySource.LitellmApiKeyHeader;
            return litellm;
        }

        if (FromAuthorization(headers.Authorization) is { } authorization)
        {
            source = VirtualKeySource.AuthorizationHeader;
            return authorization;
        }

        if (NonEmpty(headers[ApiKeyHeader]) is { } apiKey)
        {
            source = VirtualKeySource.ApiKeyHeader;
            return apiKey;
        }

        if (NonEmpty(headers[XApiKeyHeader]) is { } xApiKey)
        {
            source = VirtualKeySource.XApiKeyHeader;
            return xApiKey;
        }

        if (NonEmpty(headers[GoogApiKeyHeader]) is { } googApiKey)
        {
            source = VirtualKeySource.GoogApiKeyHeader;
            return googApiKey;
        }

        if (NonEmpty(headers[ApimSubscriptionKeyHeader]) is { } apim)
        {
            source = VirtualKeySource.ApimSubscriptionKeyHeader;
            return apim;
        }

        source = VirtualKeySource.None;
        return null;
    }

    /// <summary>
    /// <c>Bearer &lt;key&gt;</c>, or a bare key as AssemblyAI clients send it. Other schemes are not keys;
    /// notably an AWS SDK's own <c>AWS4-HMAC-SHA256</c> signature, which the Bedrock route re-makes.
    /// </summary>
    private static string? FromAuthorization(StringValues values)
    {
        var value = NonEmpty(values);
        if (value is null)
        {
            return null;
        }

        if (value.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase) && (value.Length == 6 || value[6] == ' '))
        {
            return value.Length == 6 ? null : NonEmpty(value.AsSpan(7).Trim().ToString());
        }

        return value.Contains(' ') ? null : value;
    }

    private static string? StripBearer(StringValues values)
    {
        var value = NonEmpty(values);
        return value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? NonEmpty(value.AsSpan(7).Trim().ToString())
            : value;
    }

    private static string? NonEmpty(StringValues values) => values.Count == 0 ? null : NonEmpty(values[0]);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
