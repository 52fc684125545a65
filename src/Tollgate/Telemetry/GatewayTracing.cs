using System.Diagnostics;

namespace Tollgate.Telemetry;

/// <summary>
/// Tollgate's span per pass-through call (source <c>Tollgate</c>). Without a listener — no
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, no test listener — no span is made and nothing is allocated.
/// </summary>
internal static class GatewayTracing
{
    public const string SourceName = "Tollgate";

    public static readonly ActivitySource Source = new(SourceName);
}
