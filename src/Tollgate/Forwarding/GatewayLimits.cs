using System.Globalization;

namespace Tollgate.Forwarding;

/// <summary>Process-wide request limits, from <c>general_settings</c>.</summary>
internal sealed class GatewayLimits
{
    public GatewayLimits(double maxRequestSizeMb)
    {
        MaxRequestBodyBytes = (long)(maxRequestSizeMb * 1024 * 1024);
        BodyTooLargeMessage = $"The request body is larger than the gateway's limit of {maxRequestSizeMb.ToString(CultureInfo.InvariantCulture)} MiB (general_settings.max_request_size_mb).";
    }

    public long MaxRequestBodyBytes { get; }

    public string BodyTooLargeMessage { get; }
}
