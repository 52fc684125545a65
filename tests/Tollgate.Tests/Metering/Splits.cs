namespace Tollgate.Tests.Metering;

/// <summary>How a test cuts a body into reads: whole, a byte at a time, or at random points from a fixed seed.</summary>
public static class Splits
{
    public const string Whole = "whole";
    public const string ByteByByte = "byte-by-byte";

    /// <summary>The modes every golden stream is fed in: whole, one byte at a time, and three seeded random splittings.</summary>
    public static readonly string[] Modes = [Whole, ByteByByte, "random-1", "random-42", "random-2024"];

    public static IEnumerable<ReadOnlyMemory<byte>> Of(byte[] body, string mode)
    {
        if (mode == Whole)
        {
            yield return body;
            yield break;
        }

        if (mode == ByteByByte)
        {
            for (var i = 0; i < body.Length; i++)
            {
                yield return body.AsMemory(i, 1);
            }

            yield break;
        }

        var random = new Random(int.Parse(mode["random-".Length..], System.Globalization.CultureInfo.InvariantCulture));
        var at = 0;
        while (at < body.Length)
        {
            // Mostly short reads (splitting inside lines, CRLFs, preludes and UTF-8 characters), sometimes long ones.
            var length = Math.Min(body.Length - at, random.Next(4) == 0 ? random.Next(1, 400) : random.Next(1, 12));
            yield return body.AsMemory(at, length);
            at += length;
        }
    }

    /// <summary>The body cut at each of <paramref name="cuts"/> (offsets in any order; repeats and the ends add no empty read).</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> At(byte[] body, int[] cuts)
    {
        var at = 0;
        foreach (var cut in cuts.Where(c => c > 0 && c < body.Length).Order().Distinct().Append(body.Length))
        {
            yield return body.AsMemory(at, cut - at);
            at = cut;
        }
    }
}
