namespace Tollgate.Keys;

/// <summary>The admin key (<c>general_settings.master_key</c> or <c>LITELLM_MASTER_KEY</c>), held only as its hash.</summary>
internal sealed class MasterKey(KeyHash? hash, bool allowUnauthenticated)
{
    public KeyHash? Hash { get; } = hash;

    /// <summary><c>general_settings.allow_unauthenticated: true</c>: pass-through routes need no key.</summary>
    public bool AllowUnauthenticated { get; } = allowUnauthenticated;
}
