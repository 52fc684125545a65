namespace Tollgate.Telemetry;

/// <summary>Every log event id Tollgate uses, in one place so ids never collide.</summary>
internal static class EventIds
{
    public const int GatewayStarted = 1;
    public const int RunningUnauthenticated = 2;
    public const int NoMasterKey = 3;
    public const int RedisUnavailable = 5;
    public const int RedisRecovered = 6;
    public const int GuardrailPatternBacktracks = 7;
    public const int ConfigWarning = 12;

    public const int RequestForwarded = 100;
    public const int UpstreamFailed = 101;
    public const int ClientAborted = 102;
    public const int RequestRejected = 103;
    public const int GuardrailCouldNotDecide = 104;
    public const int UnhandledError = 120;

    public const int SpendWriteRetry = 200;
    public const int SpendSpilled = 201;
    public const int SpendReplayed = 202;
    public const int SpendReplayFailed = 203;
    public const int SpendCallsUnrecorded = 204;
}
