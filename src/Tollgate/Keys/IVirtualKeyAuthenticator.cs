namespace Tollgate.Keys;

/// <summary>Decides whether a presented key may use the gateway.</summary>
internal interface IVirtualKeyAuthenticator
{
    ValueTask<KeyCheck> CheckAsync(string? presentedKey, CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="value"/> is one of this gateway's keys: the master key or a stored virtual key, in any
    /// state (a blocked or expired key is still ours to keep from an upstream), also when the gateway runs open.
    /// </summary>
    ValueTask<bool> IsGatewayKeyAsync(string value, CancellationToken cancellationToken);
}

internal enum KeyCheckOutcome
{
    /// <summary>A live virtual key (<see cref="KeyCheck.Key"/>) or the master key (no stored key).</summary>
    Accepted,

    /// <summary>The gateway runs open (<c>allow_unauthenticated: true</c>); no key was needed.</summary>
    Open,
    Missing,
    Invalid,
    Expired,
    Blocked,

    /// <summary>No master key is configured, so no key can be valid.</summary>
    NoMasterKey,
}

internal readonly record struct KeyCheck(KeyCheckOutcome Outcome, KeyHash? Hash = null, StoredKey? Key = null)
{
    public bool Allowed => Outcome is KeyCheckOutcome.Accepted or KeyCheckOutcome.Open;

    public bool IsMasterKey => Outcome == KeyCheckOutcome.Accepted && Key is null;
}
