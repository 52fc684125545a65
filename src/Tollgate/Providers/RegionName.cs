namespace Tollgate.Providers;

/// <summary>Cloud location and region names (Vertex AI <c>us-central1</c>, Bedrock <c>eu-west-3</c>), which become part of host names.</summary>
internal static class RegionName
{
    /// <summary><c>^[a-z][a-z0-9-]*$</c>, at most a DNS label long: anything else must never reach a host name.</summary>
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 63 || !char.IsAsciiLetterLower(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
