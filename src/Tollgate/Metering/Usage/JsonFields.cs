using System.Text.Json;

namespace Tollgate.Metering.Usage;

/// <summary>Reads one property's value (the reader on its name), into <paramref name="state"/>; it must consume the value.</summary>
internal delegate void PropertyReader<TState>(ref Utf8JsonReader reader, ref TState state);

/// <summary>Small helpers over <see cref="Utf8JsonReader"/> that the usage readers share.</summary>
internal static class JsonFields
{
    /// <summary>Deep enough for tool schemas echoed back in a response; the default (64) is not always.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    public static Utf8JsonReader CreateReader(ReadOnlySpan<byte> json) => new(json, ReaderOptions);

    /// <summary>
    /// What reading a unit that is not readable JSON throws: <see cref="JsonException"/> for bad syntax, and
    /// <see cref="InvalidOperationException"/> for text the reader checks only when it compares or copies it
    /// (an escaped lone surrogate in a property name, bytes that are not UTF-8).
    /// </summary>
    public static bool IsUnreadable(Exception e) => e is JsonException or InvalidOperationException;

    /// <summary>Reads a unit's top-level object, handing each property to <paramref name="read"/>.</summary>
    /// <returns>False when the unit is not a readable JSON object: what was read of it then counts for nothing.</returns>
    public static bool ReadObject<TState>(ReadOnlySpan<byte> json, ref TState state, PropertyReader<TState> read)
    {
        try
        {
            var reader = CreateReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            ReadProperties(ref reader, ref state, read);
            return true;
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            return false;
        }
    }

    /// <summary>Hands each property of the object the reader is on (<see cref="EnterObject"/>) to <paramref name="read"/>.</summary>
    public static void ReadProperties<TState>(ref Utf8JsonReader reader, ref TState state, PropertyReader<TState> read)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            read(ref reader, ref state);
        }
    }

    /// <summary>Moves to the value after a property name; for an array, hands each property of its objects to <paramref name="read"/>.</summary>
    /// <returns>How many elements the array has; -1 when the value is not an array.</returns>
    public static int ReadObjectArray<TState>(ref Utf8JsonReader reader, ref TState state, PropertyReader<TState> read)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return -1;
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadProperties(ref reader, ref state, read);
            }
            else
            {
                reader.Skip();
            }
        }

        return count;
    }

    /// <summary>Moves to the value after a property name and reads it as a token count: a whole non-negative number, else null.</summary>
    public static long? ReadCount(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var whole))
                {
                    return Math.Max(0, whole);
                }

                return reader.TryGetDouble(out var real) && real is >= 0 and < long.MaxValue ? (long)real : null;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                return null;
            default:
                return null;
        }
    }

    /// <summary>Moves to the value after a property name and reads it as a non-empty string, else null (also when it is not text: bad UTF-8, a lone surrogate).</summary>
    public static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueSpan.IsEmpty)
            {
                return null;
            }

            try
            {
                return reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // The reader checks a string's UTF-8 only when it is read; it is no name, and the rest of the unit still counts.
                return null;
            }
        }

        reader.Skip();
        return null;
    }

    /// <summary>Moves to the value after a property name; true when it is a non-empty string (the string itself is not allocated).</summary>
    public static bool ReadNonEmptyString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return !reader.ValueSpan.IsEmpty;
        }

        reader.Skip();
        return false;
    }

    /// <summary>Moves to the value after a property name; for an object, hands each of its properties to <paramref name="read"/>.</summary>
    /// <returns>Whether the value was an object.</returns>
    public static bool ReadObjectValue<TState>(ref Utf8JsonReader reader, ref TState state, PropertyReader<TState> read)
    {
        if (!EnterObject(ref reader))
        {
            return false;
        }

        ReadProperties(ref reader, ref state, read);
        return true;
    }

    /// <summary>Moves to the value after a property name; true when it is an object (the reader is then on its start).</summary>
    public static bool EnterObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return true;
        }

        reader.Skip();
        return false;
    }

    /// <summary>Skips the value after a property name.</summary>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    /// <summary>
    /// A cheap pre-check before parsing a streamed event: does <paramref name="json"/> hold
    /// <paramref name="quotedName"/> (with its quotes) followed by <c>:</c> and an object? A JSON
    /// string's inner quotes are escaped, so text inside values cannot fake it; a false positive
    /// (the name nested deeper) only costs the full parse that then finds nothing.
    /// </summary>
    public static bool MayHoldObject(ReadOnlySpan<byte> json, ReadOnlySpan<byte> quotedName)
    {
        while (true)
        {
            var at = json.IndexOf(quotedName);
            if (at < 0)
            {
                return false;
            }

            var rest = json[(at + quotedName.Length)..].TrimStart(" \t\r\n"u8);
            if (!rest.IsEmpty && rest[0] == ':')
            {
                rest = rest[1..].TrimStart(" \t\r\n"u8);
                if (!rest.IsEmpty && rest[0] == '{')
                {
                    return true;
                }
            }

            json = json[(at + quotedName.Length)..];
        }
    }

    /// <summary>True when the bytes start (after whitespace) with <c>{</c>: worth handing to a JSON reader.</summary>
    public static bool LooksLikeObject(ReadOnlySpan<byte> json)
    {
        var trimmed = json.TrimStart(" \t\r\n"u8);
        return !trimmed.IsEmpty && trimmed[0] == '{';
    }
}
