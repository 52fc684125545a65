using System.Text;
using CsCheck;

namespace Tollgate.Tests.Metering;

/// <summary>
/// CsCheck generators for the stream parsers' property tests: where a body is cut into reads, well-formed
/// SSE streams, event-stream frames and JSON sequences with what they must parse to, and byte soups made
/// of the formats' own pieces (so random input reaches past the first check).
/// </summary>
/// <remarks>Static fields initialise in order: each generator is declared after the ones it uses.</remarks>
public static class StreamGen
{
    /// <summary>A text without line breaks: ASCII, JSON punctuation, multi-byte UTF-8 (split across reads) and words the parsers look for.</summary>
    public static readonly Gen<string> Text =
        Gen.OneOf("a", "Z", "7", " ", ":", "{", "}", "[", "]", ",", "é", "€", "😀", "usage", "[DONE]").Array[0, 8].Select(string.Concat);

    /// <summary>
    /// A JSON string token: plain text, the short escapes, <c>\u</c> escapes (a surrogate pair among
    /// them), and brackets and quotes that the splitters must not take for structure.
    /// </summary>
    public static readonly Gen<string> JsonString =
        Gen.OneOf("a", " ", "{", "]", "é", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00", "\\u0000", "x@y.io", "4111 1111 1111 1111")
            .Array[0, 6]
            .Select(parts => "\"" + string.Concat(parts) + "\"");

    /// <summary>A JSON value: objects, arrays, strings with every kind of escape, numbers, literals.</summary>
    public static readonly Gen<string> JsonValue = Gen.Recursive<string>((depth, self) =>
    {
        var scalar = Gen.OneOf<string>(JsonString, Gen.OneOf("0", "-1.5e3", "true", "false", "null"));
        if (depth >= 4)
        {
            return scalar;
        }

        return Gen.Frequency<string>(
            (3, scalar),
            (1, self.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (2, JsonObject(self)));
    });

    /// <summary>A JSON object whose values are <see cref="JsonValue"/>s.</summary>
    public static readonly Gen<string> JsonObjectValue = JsonObject(JsonValue);

    /// <summary>The items of a streamed JSON array, or JSON lines, with the objects it holds.</summary>
    public static readonly Gen<(byte[] Body, string[] Objects)> JsonSequence =
        from objects in JsonObjectValue.Array[0, 5]
        from asArray in Gen.Bool
        from separator in Gen.OneOf("", "\n", " \r\n", "\n\n")
        select (
            Encoding.UTF8.GetBytes(asArray ? "[" + string.Join("," + separator, objects) + "]" : string.Concat(objects.Select(o => o + separator + "\n"))),
            objects);

    /// <summary>Brackets, strings, escapes, byte-order marks and usage objects in any order.</summary>
    public static readonly Gen<byte[]> JsonNoise = Soup(
        "{", "}", "[", "]", "\"", "\\", "\\\"", ",", ":", " ", "\n", "\uFEFF", "null", "1", "\"usageMetadata\":", "\"text\":\"{[\"",
        """{"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":5}}""",
        """{"is_finished":true,"event_type":"stream-end","response":{"meta":{"billed_units":{"input_tokens":3,"output_tokens":1}}}}""");

    /// <summary>SSE syntax, JSON usage objects and stray bytes in any order.</summary>
    public static readonly Gen<byte[]> SseNoise = Soup(
        "data:", "data: ", "event:", "event: message_delta", ": ping", "id: 1", "retry: 5", "data", "\n", "\r", "\r\n", "\n\n", "\r\n\r\n",
        "[DONE]", "\uFEFF", "é", "😀", "{", "}", ",", "\"cost\":1", ",\"usage\":{", "{\"choices\":[]",
        """{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}""",
        """{"type":"message_delta","usage":{"output_tokens":3}}""",
        """{"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":5}}""",
        """{"type":"response.completed","response":{"model":"m","usage":{"input_tokens":1,"output_tokens":2}}}""");

    /// <summary>One SSE block: <c>event:</c>, <c>data:</c>, comment and <c>id:</c> lines in any order, one line ending throughout.</summary>
    private static readonly Gen<SseBlockText> SseBlock =
        from lineEnd in Gen.OneOf("\n", "\r\n", "\r")
        from lines in Gen.Select(Gen.OneOf("data", "data", "event", ":", "id"), Text).Array[1, 5]
        select Block(lineEnd, lines);

    /// <summary>A well-formed SSE stream and its blocks as (name, data), (null, null) for a block without data.</summary>
    public static readonly Gen<(byte[] Body, (string? Name, string? Data)[] Events)> Sse =
        from bom in Gen.Bool
        from blocks in SseBlock.Array[1, 8]
        from finalBlankLine in Gen.Bool
        select (
            Encoding.UTF8.GetBytes((bom ? "\uFEFF" : "") + string.Concat(blocks.Select(b => b.Text))[..^(finalBlankLine ? 0 : blocks[^1].LineEnd.Length)]),
            blocks.Select(b => b.Expected).ToArray());

    private static readonly Gen<byte[]> ExtraHeader = Gen.OneOf<byte[]>(
        Gen.Const(EventStreamFrames.Header("flag", 1, [])),
        Gen.Byte.Select(b => EventStreamFrames.Header("a-byte", 2, [b])),
        Gen.Byte.Array[8].Select(b => EventStreamFrames.Header(":date", 8, b)),
        Gen.Byte.Array[0, 20].Select(b => EventStreamFrames.Header("some-bytes", 6, EventStreamFrames.LengthPrefixed(b))),
        Gen.Byte.Array[16].Select(b => EventStreamFrames.Header("an-id", 9, b)),
        Text.Select(t => EventStreamFrames.StringHeader(":content-type", t)));

    private static readonly Gen<(byte[] Bytes, (string, string, string) Expected)> EventStreamFrame =
        from eventType in Gen.OneOf("", "metadata", "contentBlockDelta", "chunk")
        from messageType in Gen.OneOf("", "event", "exception")
        from extra in ExtraHeader.Array[0, 3]
        from payload in Gen.OneOf<string>(Text, JsonObjectValue)
        select (
            EventStreamFrames.Frame(
                extra.Concat(eventType.Length > 0 ? [EventStreamFrames.StringHeader(":event-type", eventType)] : [])
                    .Concat(messageType.Length > 0 ? [EventStreamFrames.StringHeader(":message-type", messageType)] : []),
                Encoding.UTF8.GetBytes(payload)),
            (eventType, messageType, payload));

    /// <summary>Well-formed event-stream frames (headers of every value type around the two Bedrock reads) and each one's (event type, message type, payload).</summary>
    public static readonly Gen<(byte[] Body, (string EventType, string MessageType, string Payload)[] Frames)> EventStream =
        EventStreamFrame.Array[0, 6].Select(frames => (EventStreamFrames.Concat(frames.Select(f => f.Bytes)), frames.Select(f => f.Expected).ToArray()));

    /// <summary>Where to cut a body of <paramref name="length"/> bytes: a byte at a time now and then, else a few random offsets.</summary>
    public static Gen<int[]> Cuts(int length) =>
        Gen.Frequency<int[]>(
            (1, Gen.Const(Enumerable.Range(1, Math.Max(0, length - 1)).ToArray())),
            (5, Gen.Int[0, length].Array[0, 24]));

    private static Gen<string> JsonObject(Gen<string> values) =>
        Gen.Select(Gen.OneOf("text", "usage", "n", "\\\"q", "a b"), values)
            .Array[0, 4]
            .Select(members => "{" + string.Join(",", members.Select(m => "\"" + m.Item1 + "\":" + m.Item2)) + "}");

    private static Gen<byte[]> Soup(params string[] pieces) =>
        Gen.Frequency<byte[]>(
                (8, Gen.OneOf(pieces.Select(Encoding.UTF8.GetBytes).ToArray())),
                (1, Gen.Byte.Array[1, 3]))
            .Array[0, 40]
            .Select(parts => parts.SelectMany(p => p).ToArray());

    private static SseBlockText Block(string lineEnd, (string Field, string Value)[] lines)
    {
        var text = new StringBuilder();
        var name = "";
        var data = new List<string>();
        foreach (var (field, value) in lines)
        {
            text.Append(field).Append(field == ":" ? "" : ": ").Append(value).Append(lineEnd);
            if (field == "data")
            {
                data.Add(value);
            }
            else if (field == "event")
            {
                name = value;
            }
        }

        text.Append(lineEnd);
        return new SseBlockText(text.ToString(), lineEnd, data.Count > 0 ? (name, string.Join("\n", data)) : (null, null));
    }

    private sealed record SseBlockText(string Text, string LineEnd, (string? Name, string? Data) Expected);
}
