using System.Collections.Frozen;
using Tollgate.Configuration;

namespace Tollgate.Keys;

/// <summary>
/// Stop-gap until the key store (issue 4): accepts the master key and the keys listed in
/// <c>general_settings.virtual_keys</c>, compared by SHA-256 so no key is held in clear.
/// </summary>
internal sealed class ConfiguredKeyAuthenticator : IVirtualKeyAuthenticator
{
    private readonly FrozenSet<KeyHash> _accepted;
    private readonly bool _open;
    private readonly bool _hasMasterKey;

    public ConfiguredKeyAuthenticator(GeneralSettings settings)
    {
        _open = settings.AllowUnauthenticated;
        _hasMasterKey = settings.MasterKey is not null;
        var keys = new List<string>(settings.VirtualKeys);
        if (settings.MasterKey is not null)
        {
            keys.Add(settings.MasterKey);
        }

        _accepted = keys.Select(KeyHash.Of).ToFrozenSet();
    }

    public ValueTask<KeyCheck> CheckAsync(string? presentedKey, CancellationToken cancellationToken)
    {
        if (_open)
        {
            return new(new KeyCheck(KeyCheckOutcome.Open, presentedKey is null ? null : KeyHash.Of(presentedKey)));
        }

        if (!_hasMasterKey && _accepted.Count == 0)
        {
            return new(new KeyCheck(KeyCheckOutcome.NoMasterKey));
        }

        if (presentedKey is null)
        {
            return new(new KeyCheck(KeyCheckOutcome.Missing));
        }

        var hash = KeyHash.Of(presentedKey);
        return new(new KeyCheck(_accepted.Contains(hash) ? KeyCheckOutcome.Accepted : KeyCheckOutcome.Invalid, hash));
    }
}
