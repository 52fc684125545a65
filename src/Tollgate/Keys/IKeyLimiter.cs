using System.Globalization;

namespace Tollgate.Keys;

/// <summary>Enforces a key's <c>rpm_limit</c>, <c>tpm_limit</c> and <c>max_parallel_requests</c> before a request is forwarded.</summary>
internal interface IKeyLimiter
{
    /// <summary>Takes one request's permits; on refusal, says which limit and when to retry.</summary>
    ValueTask<LimitDecision> TryAcquireAsync(StoredKey key, CancellationToken cancellationToken);

    /// <summary>Counts a finished call's tokens against the key's <c>tpm_limit</c>.</summary>
    void RecordTokens(KeyHash key, long tokens);
}

/// <summary>A granted request holds <see cref="Lease"/> (its parallel slot) until it ends; a refusal says why.</summary>
internal readonly record struct LimitDecision(bool Allowed, IDisposable? Lease, string? Message, TimeSpan RetryAfter)
{
    public static LimitDecision Granted(IDisposable? lease) => new(true, lease, null, default);

    public static LimitDecision OverRequestsPerMinute(long limit, TimeSpan retryAfter) =>
        new(false, null, string.Create(CultureInfo.InvariantCulture, $"Rate limit reached: this key allows {limit} requests per minute."), retryAfter);

    public static LimitDecision OverTokensPerMinute(long limit, TimeSpan retryAfter) =>
        new(false, null, string.Create(CultureInfo.InvariantCulture, $"Token rate limit reached: this key allows {limit} tokens per minute."), retryAfter);

    public static LimitDecision OverParallelRequests(long limit) =>
        new(false, null, string.Create(CultureInfo.InvariantCulture, $"Parallel request limit reached: this key allows {limit} requests at a time."), TimeSpan.FromSeconds(1));
}
