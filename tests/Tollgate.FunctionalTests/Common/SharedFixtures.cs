namespace Tollgate.FunctionalTests.Common;

/// <summary>
/// Finds files under <c>shared/fixtures/</c>, which lives beside the repository (not inside it), the
/// same on a developer's checkout and in CI's fresh clone.
/// </summary>
public static class SharedFixtures
{
    /// <summary>The absolute path of <c>&lt;repo&gt;/../shared/fixtures/&lt;parts&gt;</c>; throws if it does not exist.</summary>
    public static string PathOf(params string[] parts)
    {
        // Walk up from the test binaries (tests/X/bin/Debug/net10.0) to the repository root.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Tollgate.slnx")))
            {
                continue;
            }

            var path = Path.GetFullPath(Path.Combine([dir.FullName, "..", "shared", "fixtures", .. parts]));
            return File.Exists(path) || Directory.Exists(path)
                ? path
                : throw new FileNotFoundException($"Shared fixture not found beside the repository at {dir.FullName}.", path);
        }

        throw new DirectoryNotFoundException($"No Tollgate.slnx above {AppContext.BaseDirectory}, so shared/fixtures cannot be located.");
    }

    /// <summary>The text of a shared fixture file.</summary>
    public static string ReadText(params string[] parts) => File.ReadAllText(PathOf(parts));
}
