namespace Tollgate.Fuzz;

/// <summary>An invariant did not hold: afl-fuzz records the input as a crash.</summary>
internal sealed class FuzzFinding(string message) : Exception(message)
{
    public static void Unless(bool holds, string invariant)
    {
        if (!holds)
        {
            throw new FuzzFinding(invariant);
        }
    }
}
