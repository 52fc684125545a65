namespace Tollgate.Metering.Parsing;

/// <summary>
/// One verified message of an AWS event stream (both CRCs matched) as <see cref="AwsEventStreamDecoder"/>
/// hands it out. The spans are valid only during the handler call.
/// </summary>
internal readonly ref struct AwsEventStreamFrame
{
    public AwsEventStreamFrame(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> messageType, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        EventType = eventType;
        MessageType = messageType;
        Headers = headers;
        Payload = payload;
    }

    /// <summary>The <c>:event-type</c> header (Bedrock: <c>metadata</c>, <c>chunk</c>, <c>contentBlockDelta</c>, …); empty when absent.</summary>
    public ReadOnlySpan<byte> EventType { get; }

    /// <summary>The <c>:message-type</c> header: <c>event</c>, <c>exception</c> or <c>error</c>; empty when absent.</summary>
    public ReadOnlySpan<byte> MessageType { get; }

    /// <summary>The encoded header block, for a reader that needs another header.</summary>
    public ReadOnlySpan<byte> Headers { get; }

    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>A normal event (not an exception or error frame, which carry no usage).</summary>
    public bool IsEvent => MessageType.IsEmpty || MessageType.SequenceEqual("event"u8);
}
