using System.Globalization;

namespace Tollgate.Guardrails;

/// <summary>Why a guardrail could not decide; it then follows its <c>on_error</c>.</summary>
/// <param name="Reason">What went wrong.</param>
/// <param name="WebhookStatus">The webhook's HTTP status, for <see cref="UndecidedReason.WebhookStatus"/>.</param>
internal readonly record struct Undecided(UndecidedReason Reason, int WebhookStatus = 0)
{
    /// <summary>The spend row's category for the decision: <c>timeout</c>, <c>http_503</c>, ….</summary>
    public string Code => Reason switch
    {
        UndecidedReason.Timeout => "timeout",
        UndecidedReason.Unreachable => "unreachable",
        UndecidedReason.InvalidAnswer => "invalid_answer",
        UndecidedReason.WebhookStatus => "http_" + WebhookStatus.ToString(CultureInfo.InvariantCulture),
        UndecidedReason.TooLarge => "too_large",
        UndecidedReason.Streamed => "streamed",
        UndecidedReason.Compressed => "compressed",
        UndecidedReason.InvalidJson => "invalid_json",
        UndecidedReason.UnknownShape => "unknown_shape",
        _ => throw new ArgumentOutOfRangeException(nameof(Reason), Reason, null),
    };

    /// <summary>The refusal's words for it.</summary>
    public string Describe(Guardrail guardrail, long maxBodyBytes) => Reason switch
    {
        UndecidedReason.Timeout => $"it did not finish within {guardrail.Timeout.TotalMilliseconds:0} ms",
        UndecidedReason.Unreachable => "its webhook could not be reached",
        UndecidedReason.InvalidAnswer => "its webhook's answer was not {\"action\": \"allow\" | \"block\" | \"mask\", \"texts\": [...]}",
        UndecidedReason.WebhookStatus => $"its webhook answered HTTP {WebhookStatus.ToString(CultureInfo.InvariantCulture)}",
        UndecidedReason.TooLarge => $"the answer is larger than {maxBodyBytes} bytes",
        UndecidedReason.Streamed => "the answer was streamed",
        UndecidedReason.Compressed => "the answer was compressed",
        UndecidedReason.InvalidJson => "the answer is not valid JSON",
        UndecidedReason.UnknownShape => "the answer is not a JSON object",
        _ => throw new ArgumentOutOfRangeException(nameof(Reason), Reason, null),
    };
}

internal enum UndecidedReason
{
    Timeout,
    Unreachable,

    /// <summary>The webhook answered 2xx with something that is not a verdict.</summary>
    InvalidAnswer,

    /// <summary>The webhook answered with a non-2xx status.</summary>
    WebhookStatus,

    TooLarge,
    Streamed,
    Compressed,
    InvalidJson,
    UnknownShape,
}
