namespace Tollgate.Keys;

/// <summary>
/// The places a request can carry a key (contract section 5, rule 1), as a set: the ones a call removes
/// before forwarding. Routes that take a key remove them all; an endpoint without auth, those holding one of ours.
/// </summary>
[Flags]
internal enum KeyCarriers
{
    None = 0,
    AuthorizationHeader = 1 << 0,
    ApiKeyHeader = 1 << 1,
    XApiKeyHeader = 1 << 2,
    GoogApiKeyHeader = 1 << 3,
    ApimSubscriptionKeyHeader = 1 << 4,

    /// <summary>Every <c>key</c> query parameter, in any casing or percent-encoding of the name.</summary>
    KeyQueryParameter = 1 << 5,

    /// <summary>The <c>openai-insecure-api-key.&lt;key&gt;</c> entry of <c>Sec-WebSocket-Protocol</c>.</summary>
    WebSocketProtocol = 1 << 6,

    All = AuthorizationHeader | ApiKeyHeader | XApiKeyHeader | GoogApiKeyHeader | ApimSubscriptionKeyHeader | KeyQueryParameter | WebSocketProtocol,
}
