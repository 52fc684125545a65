namespace Tollgate.Keys;

/// <summary>
/// The master key, or a virtual key from the store (through <see cref="KeyCache"/>) that is neither
/// blocked nor expired. Keys are compared by SHA-256 only.
/// </summary>
internal sealed class KeyAuthenticator(MasterKey masterKey, KeyCache cache, TimeProvider time) : IVirtualKeyAuthenticator
{
    public ValueTask<KeyCheck> CheckAsync(string? presentedKey, CancellationToken cancellationToken)
    {
        if (masterKey.AllowUnauthenticated)
        {
            return new(new KeyCheck(KeyCheckOutcome.Open, presentedKey is null ? null : KeyHash.Of(presentedKey)));
        }

        if (masterKey.Hash is not { } master)
        {
            return new(new KeyCheck(KeyCheckOutcome.NoMasterKey));
        }

        if (presentedKey is null)
        {
            return new(new KeyCheck(KeyCheckOutcome.Missing));
        }

        var hash = KeyHash.Of(presentedKey);
        if (hash == master)
        {
            return new(new KeyCheck(KeyCheckOutcome.Accepted, hash));
        }

        var lookup = cache.GetAsync(hash, cancellationToken);
        return lookup.IsCompletedSuccessfully ? new(Judge(hash, lookup.Result)) : AwaitAsync(hash, lookup);
    }

    public ValueTask<bool> IsGatewayKeyAsync(string value, CancellationToken cancellationToken)
    {
        var hash = KeyHash.Of(value);
        if (hash == masterKey.Hash)
        {
            return new(true);
        }

        var lookup = cache.GetAsync(hash, cancellationToken);
        return lookup.IsCompletedSuccessfully ? new(lookup.Result is not null) : AwaitStoredAsync(lookup);
    }

    private static async ValueTask<bool> AwaitStoredAsync(ValueTask<StoredKey?> lookup) => await lookup is not null;

    private async ValueTask<KeyCheck> AwaitAsync(KeyHash hash, ValueTask<StoredKey?> lookup) => Judge(hash, await lookup);

    private KeyCheck Judge(KeyHash hash, StoredKey? key) => key switch
    {
        null => new KeyCheck(KeyCheckOutcome.Invalid, hash),
        { Blocked: true } => new KeyCheck(KeyCheckOutcome.Blocked, hash),
        _ when key.IsExpired(time.GetUtcNow()) => new KeyCheck(KeyCheckOutcome.Expired, hash),
        _ => new KeyCheck(KeyCheckOutcome.Accepted, hash, key),
    };
}
