namespace Tollgate.Keys;

/// <summary>Decides whether a presented virtual key may use the gateway.</summary>
internal interface IVirtualKeyAuthenticator
{
    ValueTask<KeyCheck> CheckAsync(string? presentedKey, CancellationToken cancellationToken);
}

internal enum KeyCheckOutcome
{
    Accepted,

    /// <summary>The gateway runs open (<c>allow_unauthenticated: true</c>); no key was needed.</summary>
    Open,
    Missing,
    Invalid,

    /// <summary>No master key is configured, so no key can be valid.</summary>
    NoMasterKey,
}

internal readonly record struct KeyCheck(KeyCheckOutcome Outcome, KeyHash? Hash = null)
{
    public bool Allowed => Outcome is KeyCheckOutcome.Accepted or KeyCheckOutcome.Open;
}
