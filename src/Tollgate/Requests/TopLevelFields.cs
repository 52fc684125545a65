using System.Text;
using System.Text.Json;

namespace Tollgate.Requests;

/// <summary>
/// A request body's top-level fields of one name, read as the strictest provider parser reads JSON (no comments,
/// no trailing data, at most <see cref="MaxDepth"/> levels) and matched as the most lenient one matches names (in
/// any case, however often), so a body that parsers could read differently is told apart from one they all read
/// the same. The model check and the stream rule both decide on it.
/// </summary>
internal static class TopLevelFields
{
    /// <summary>Deeper than any real request; Python's parser gives up near 1,000 levels.</summary>
    public const int MaxDepth = 512;

    public enum Shape
    {
        /// <summary>Nothing but white space (and a byte-order mark).</summary>
        Empty,

        /// <summary>Not strict JSON.</summary>
        Invalid,

        /// <summary>Strict JSON whose root is not an object: it has no fields.</summary>
        NotObject,

        Object,
    }

    /// <param name="Type">The value's token: a string, a number, <c>true</c>, an object's start, ….</param>
    /// <param name="Text">The value when it is a string.</param>
    public readonly record struct Field(JsonTokenType Type, string? Text);

    /// <summary>Adds every top-level field named <paramref name="name"/> in any case to <paramref name="fields"/>.</summary>
    public static Shape Read(ReadOnlySpan<byte> json, string name, List<Field> fields)
    {
        json = json.StartsWith(Encoding.UTF8.Preamble) ? json[Encoding.UTF8.Preamble.Length..] : json;
        if (json.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            return Shape.Empty;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var shape = Shape.NotObject;
        try
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                shape = Shape.Object;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var named = reader.GetString()!.Equals(name, StringComparison.OrdinalIgnoreCase);
                    reader.Read();
                    if (named)
                    {
                        fields.Add(new(reader.TokenType, reader.TokenType == JsonTokenType.String ? reader.GetString() : null));
                    }

                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }

            // Anything after the root is an error the reader reports here.
            while (reader.Read())
            {
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not text (bad UTF-8, a lone surrogate), found when read.
            return Shape.Invalid;
        }

        return shape;
    }
}
