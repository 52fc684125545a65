namespace Tollgate.Credentials.SigV4;

/// <summary>
/// The last signing key derived for one set of credentials. The key depends only on the secret, the
/// day, the region and the service, so one derivation (four HMACs) serves a whole day of requests, as
/// AWS's SDKs do. Thread-safe: an entry is immutable and replaced whole.
/// </summary>
internal sealed class AwsSigningKeyCache
{
    private Entry? _last;

    /// <summary>Copies the cached key into <paramref name="key"/> when it was derived for exactly these inputs.</summary>
    public bool TryGet(AwsCredentials credentials, ReadOnlySpan<char> dateStamp, string region, string service, Span<byte> key)
    {
        if (Volatile.Read(ref _last) is not { } last || !ReferenceEquals(last.Credentials, credentials)
            || !dateStamp.SequenceEqual(last.DateStamp) || last.Region != region || last.Service != service)
        {
            return false;
        }

        last.Key.CopyTo(key);
        return true;
    }

    public void Set(AwsCredentials credentials, ReadOnlySpan<char> dateStamp, string region, string service, ReadOnlySpan<byte> key) =>
        Volatile.Write(ref _last, new Entry(credentials, dateStamp.ToString(), region, service, key.ToArray()));

    private sealed record Entry(AwsCredentials Credentials, string DateStamp, string Region, string Service, byte[] Key);
}
