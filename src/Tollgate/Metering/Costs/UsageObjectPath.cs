using System.Text;

namespace Tollgate.Metering.Costs;

/// <summary>
/// Where a dialect's streamed events carry their usage object, for cost injection: a top-level
/// property, or the same property inside a top-level container object (OpenAI's Responses API puts it
/// at <c>response.usage</c>).
/// </summary>
internal sealed class UsageObjectPath
{
    /// <summary>OpenAI shapes: chat completions' <c>usage</c> chunk, the Responses API's <c>response.usage</c>.</summary>
    public static readonly UsageObjectPath OpenAi = new("usage", "response");

    /// <summary>Anthropic Messages: <c>message_delta</c>'s top-level <c>usage</c> (<c>message_start</c>'s <c>message.usage</c> is not final).</summary>
    public static readonly UsageObjectPath Anthropic = new("usage");

    /// <summary>Gemini and Vertex AI: <c>usageMetadata</c>.</summary>
    public static readonly UsageObjectPath Gemini = new("usageMetadata");

    public UsageObjectPath(string name, string? container = null)
    {
        Name = Encoding.UTF8.GetBytes(name);
        QuotedName = Encoding.UTF8.GetBytes('"' + name + '"');
        Container = container is null ? null : Encoding.UTF8.GetBytes(container);
    }

    /// <summary>The usage object's property name.</summary>
    public byte[] Name { get; }

    /// <summary><see cref="Name"/> in quotes, for a cheap pre-check of an event's text.</summary>
    public byte[] QuotedName { get; }

    /// <summary>A top-level object that may hold the usage object instead, or null.</summary>
    public byte[]? Container { get; }
}
