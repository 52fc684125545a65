using System.Text;

namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// One message of the AWS event-stream framing: its headers in wire order (string-valued only, the
/// only kind Bedrock sends) and its payload bytes.
/// </summary>
public sealed record AwsEventStreamMessage(IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Payload)
{
    /// <summary>The value of header <paramref name="name"/> (exact, as event-stream names are), or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.Key == name) is { Key: not null } h ? h.Value : null;

    /// <summary><c>:event-type</c>, e.g. <c>contentBlockDelta</c> or <c>chunk</c>.</summary>
    public string? EventType => Header(":event-type");

    /// <summary>The payload as UTF-8 text (JSON for every Bedrock event).</summary>
    public string PayloadText => Encoding.UTF8.GetString(Payload);
}
