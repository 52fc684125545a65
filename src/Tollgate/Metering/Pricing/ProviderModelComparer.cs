namespace Tollgate.Metering.Pricing;

/// <summary>(provider, model) keys compared without regard to case, as providers echo names in either.</summary>
internal sealed class ProviderModelComparer : IEqualityComparer<(string Provider, string Model)>
{
    public static readonly ProviderModelComparer Instance = new();

    public bool Equals((string Provider, string Model) x, (string Provider, string Model) y) =>
        string.Equals(x.Provider, y.Provider, StringComparison.OrdinalIgnoreCase)
        && string.Equals(x.Model, y.Model, StringComparison.OrdinalIgnoreCase);

    public int GetHashCode((string Provider, string Model) key) =>
        HashCode.Combine(
            StringComparer.OrdinalIgnoreCase.GetHashCode(key.Provider),
            StringComparer.OrdinalIgnoreCase.GetHashCode(key.Model));
}
