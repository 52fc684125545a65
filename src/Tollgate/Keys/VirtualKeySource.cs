namespace Tollgate.Keys;

/// <summary>Where the client put its virtual key; that place is removed before forwarding.</summary>
internal enum VirtualKeySource
{
    None,
    LitellmApiKeyHeader,
    AuthorizationHeader,
    ApiKeyHeader,
    XApiKeyHeader,
    GoogApiKeyHeader,
    ApimSubscriptionKeyHeader,
    KeyQueryParameter,
    WebSocketProtocol,
}
