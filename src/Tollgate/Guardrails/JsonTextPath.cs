using System.Globalization;
using System.Text;

namespace Tollgate.Guardrails;

/// <summary>
/// A simple JSON path naming where texts are in a request body: <c>query</c>, <c>documents[*].text</c>,
/// <c>messages[0].content</c>, <c>$.a.b</c>, <c>a["odd.name"]</c>. <c>[*]</c> (or a <c>*</c> segment) is
/// every element of an array. A <see cref="Subtree"/> path takes every string at or below the value it
/// names (what <c>request_fields</c> mean); otherwise only a string exactly there is a text. A name may
/// carry a condition on the object it names, <c>source{type=text}</c>: the path goes on only into an object
/// with that string field (the built-in shapes use it; the config's fields do not).
/// </summary>
internal sealed class JsonTextPath
{
    private JsonTextPath(IReadOnlyList<Segment> segments, bool subtree)
    {
        Segments = segments;
        Subtree = subtree;
    }

    /// <summary>The whole document: every string in it.</summary>
    public static JsonTextPath Everything { get; } = new([], subtree: true);

    public IReadOnlyList<Segment> Segments { get; }

    public bool Subtree { get; }

    /// <summary>One step: a property name (UTF-8), every array element, or one array index; a property may have a <see cref="Condition"/>.</summary>
    internal readonly record struct Segment(byte[]? Name, int Index, (byte[] Field, byte[] Value)? Condition = null)
    {
        public const int AnyElement = -1;

        public bool IsProperty => Name is not null;
    }

    public static JsonTextPath Parse(string text, bool subtree) =>
        TryParse(text, subtree, out var path, out var problem) ? path : throw new FormatException(problem);

    public static bool TryParse(string text, bool subtree, out JsonTextPath path, out string problem)
    {
        path = Everything;
        problem = "";
        var segments = new List<Segment>();
        var s = text.AsSpan().Trim();
        if (s.StartsWith("$"))
        {
            s = s[1..];
            if (s.StartsWith("."))
            {
                s = s[1..];
            }
        }

        var expectName = true;
        while (!s.IsEmpty)
        {
            if (s[0] == '[')
            {
                var close = s.IndexOf(']');
                if (close < 0)
                {
                    problem = $"'{text}': a '[' is not closed";
                    return false;
                }

                var inner = s[1..close].Trim();
                if (inner is "*" or "")
                {
                    segments.Add(new Segment(null, Segment.AnyElement));
                }
                else if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
                {
                    segments.Add(new Segment(Encoding.UTF8.GetBytes(inner[1..^1].ToString()), 0));
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(new Segment(null, index));
                }
                else
                {
                    problem = $"'{text}': [{inner}] is neither [*], an index nor a quoted name";
                    return false;
                }

                s = s[(close + 1)..];
                expectName = false;
                continue;
            }

            if (s[0] == '.')
            {
                if (expectName)
                {
                    problem = $"'{text}': an empty name before '.'";
                    return false;
                }

                s = s[1..];
                expectName = true;
                if (s.IsEmpty)
                {
                    problem = $"'{text}': ends with '.'";
                    return false;
                }

                continue;
            }

            if (!expectName)
            {
                problem = $"'{text}': a name must follow '.'";
                return false;
            }

            var end = s.IndexOfAny('.', '[');
            var name = (end < 0 ? s : s[..end]).Trim();
            if (name.IsEmpty || name.ContainsAny(']', '\'', '"'))
            {
                problem = $"'{text}': '{name}' is not a field name";
                return false;
            }

            (byte[], byte[])? condition = null;
            if (name.EndsWith("}") && name.IndexOf('{') is var open and > 0 && name[open..].IndexOf('=') is var equals and > 1)
            {
                var test = name[(open + 1)..^1];
                condition = (Encoding.UTF8.GetBytes(test[..(equals - 1)].ToString()), Encoding.UTF8.GetBytes(test[equals..].ToString()));
                name = name[..open];
            }

            segments.Add(name is "*" ? new Segment(null, Segment.AnyElement) : new Segment(Encoding.UTF8.GetBytes(name.ToString()), 0, condition));
            s = end < 0 ? [] : s[end..];
            expectName = false;
        }

        if (segments.Count == 0)
        {
            problem = $"'{text}': names no field";
            return false;
        }

        path = new JsonTextPath(segments, subtree);
        return true;
    }
}
