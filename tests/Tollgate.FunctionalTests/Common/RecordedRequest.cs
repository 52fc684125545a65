namespace Tollgate.FunctionalTests.Common;

/// <summary>What a fake provider received, exactly: the request line's target, every header, the body bytes.</summary>
public sealed record RecordedRequest(
    string Method,
    string RawTarget,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string[]> Headers,
    byte[] Body)
{
    public string? Header(string name) =>
        Headers.TryGetValue(name, out var values) ? string.Join(",", values) : null;

    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    /// <summary>Everything the upstream saw, as one string, for "no secret leaked" assertions.</summary>
    public string Everything =>
        $"{Method} {RawTarget}\n{string.Join("\n", Headers.Select(h => h.Key + ": " + string.Join(",", h.Value)))}\n\n{BodyText}";
}
