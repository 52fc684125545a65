namespace Tollgate.Configuration;

/// <summary>Every problem found in a config file, reported together at start-up.</summary>
internal sealed class ConfigurationException(string source, IReadOnlyList<string> errors)
    : Exception(FormatMessage(source, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;

    private static string FormatMessage(string source, IReadOnlyList<string> errors) =>
        $"Invalid configuration in {source} ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):"
        + string.Concat(errors.Select(e => Environment.NewLine + "  - " + e));
}
