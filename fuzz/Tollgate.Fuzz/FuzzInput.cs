namespace Tollgate.Fuzz;

/// <summary>
/// How a target reads its input: the first byte chooses how the body is cut into reads (0: a byte at a
/// time, else random cuts from that seed) and the parser's hold limit; the rest is the body.
/// </summary>
internal readonly struct FuzzInput
{
    private readonly byte[] _data;

    public FuzzInput(byte[] data) => _data = data;

    public byte Control => _data.Length > 0 ? _data[0] : (byte)0;

    public ReadOnlySpan<byte> Body => _data.Length > 1 ? _data.AsSpan(1) : default;

    /// <summary>A small hold limit (32 to 256 bytes) so the over-the-limit paths are reached too.</summary>
    public int HoldLimit => 32 << ((Control >> 1) & 3);

    /// <summary>The (start, length) of each read, covering the body in order.</summary>
    public List<(int Start, int Length)> Reads()
    {
        var length = _data.Length - 1;
        var reads = new List<(int, int)>();
        var random = new Random(Control);
        for (var at = 0; at < length;)
        {
            var size = Control == 0 ? 1 : Math.Min(length - at, random.Next(4) == 0 ? random.Next(1, 200) : random.Next(1, 12));
            reads.Add((at, size));
            at += size;
        }

        return reads;
    }
}
