namespace Tollgate.Guardrails;

/// <summary>
/// Several groups of <see cref="JsonTextPath"/>s compiled into one trie, so a body is walked once whatever
/// the number of guardrails: each group is a selector bit, and every text found carries the bits of the
/// groups that name it. Built at start-up; read-only after.
/// </summary>
internal sealed class TextPathSet
{
    /// <summary>The most paths a walk follows at once at one depth (a path set never comes near it).</summary>
    public const int MaxActive = 16;

    private readonly List<Node> _nodes = [new Node()];

    private TextPathSet()
    {
    }

    /// <summary>
    /// Under a subtree path, property names and numbers are texts too (custom endpoints, where nothing is known of
    /// what reads the body: <c>{"ann@example.com": 1}</c> or a card number sent as a number).
    /// </summary>
    public bool NamesAndNumbers { get; private init; }

    /// <summary>Node 0 is the document's root value.</summary>
    public Node[] Nodes { get; private set; } = [];

    /// <summary>One position in the trie.</summary>
    internal sealed class Node
    {
        public (byte[] Name, int Child)[] Properties { get; set; } = [];

        /// <summary>The child for every array element, or -1.</summary>
        public int AnyElement { get; set; } = -1;

        public (int Index, int Child)[] Elements { get; set; } = [];

        /// <summary>Selectors for which a string exactly here is a text.</summary>
        public ulong StringBits { get; set; }

        /// <summary>Selectors for which every string at or below here is a text.</summary>
        public ulong SubtreeBits { get; set; }

        /// <summary>The value here must be an object with this string field, or the paths through here stop.</summary>
        public (byte[] Field, byte[] Value)? Condition { get; set; }
    }

    /// <param name="groups">Each group's paths and the selector bit its texts get (one bit per group).</param>
    /// <param name="namesAndNumbers">See <see cref="NamesAndNumbers"/>.</param>
    public static TextPathSet Build(IEnumerable<(IEnumerable<JsonTextPath> Paths, ulong Selector)> groups, bool namesAndNumbers = false)
    {
        var set = new TextPathSet { NamesAndNumbers = namesAndNumbers };
        foreach (var (paths, selector) in groups)
        {
            foreach (var path in paths)
            {
                set.Add(path, selector);
            }
        }

        set.Nodes = [.. set._nodes];
        return set;
    }

    private void Add(JsonTextPath path, ulong selector)
    {
        var node = 0;
        foreach (var segment in path.Segments)
        {
            var current = _nodes[node];
            if (segment.IsProperty)
            {
                var existing = Array.FindIndex(current.Properties, p => p.Name.AsSpan().SequenceEqual(segment.Name)
                    && SameCondition(_nodes[p.Child].Condition, segment.Condition));
                if (existing >= 0)
                {
                    node = current.Properties[existing].Child;
                    continue;
                }

                node = NewNode();
                _nodes[node].Condition = segment.Condition;
                current.Properties = [.. current.Properties, (segment.Name!, node)];
            }
            else if (segment.Index == JsonTextPath.Segment.AnyElement)
            {
                if (current.AnyElement < 0)
                {
                    current.AnyElement = NewNode();
                }

                node = current.AnyElement;
            }
            else
            {
                var existing = Array.FindIndex(current.Elements, e => e.Index == segment.Index);
                if (existing >= 0)
                {
                    node = current.Elements[existing].Child;
                    continue;
                }

                node = NewNode();
                current.Elements = [.. current.Elements, (segment.Index, node)];
            }
        }

        if (path.Subtree)
        {
            _nodes[node].SubtreeBits |= selector;
        }
        else
        {
            _nodes[node].StringBits |= selector;
        }
    }

    private static bool SameCondition((byte[] Field, byte[] Value)? a, (byte[] Field, byte[] Value)? b) =>
        a is null ? b is null : b is not null && a.Value.Field.AsSpan().SequenceEqual(b.Value.Field) && a.Value.Value.AsSpan().SequenceEqual(b.Value.Value);

    private int NewNode()
    {
        _nodes.Add(new Node());
        return _nodes.Count - 1;
    }
}
