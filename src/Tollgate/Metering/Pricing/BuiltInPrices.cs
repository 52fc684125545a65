using System.Text.Json;

namespace Tollgate.Metering.Pricing;

/// <summary>
/// Reads the built-in price data, <c>model_prices.jsonc</c> (an embedded resource beside this file):
/// <c>{ "&lt;provider&gt;": { "&lt;model&gt;": { "&lt;LiteLLM price field&gt;": number } } }</c>. Numbers are
/// read as <see cref="decimal"/> from their text, so <c>2.5e-06</c> is exactly 0.0000025.
/// </summary>
internal static class BuiltInPrices
{
    public const string ResourceName = "Tollgate.Metering.Pricing.model_prices.jsonc";

    public static Dictionary<(string Provider, string Model), ModelPrice> Load()
    {
        using var stream = typeof(BuiltInPrices).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        return Parse(stream);
    }

    /// <summary>Parses the data; a malformed entry throws <see cref="InvalidDataException"/> naming it (the file ships with the build, so this is a build defect).</summary>
    public static Dictionary<(string Provider, string Model), ModelPrice> Parse(Stream json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });

        var result = new Dictionary<(string, string), ModelPrice>(ProviderModelComparer.Instance);
        foreach (var provider in document.RootElement.EnumerateObject())
        {
            foreach (var model in provider.Value.EnumerateObject())
            {
                var where = $"{provider.Name}/{model.Name}";
                var builder = new ModelPriceBuilder();
                foreach (var field in model.Value.EnumerateObject())
                {
                    if (field.Value.ValueKind != JsonValueKind.Number || !field.Value.TryGetDecimal(out var value) || value < 0
                        || !builder.TrySet(field.Name, value))
                    {
                        throw new InvalidDataException($"{ResourceName}: {where}.{field.Name} is not a known price field with a number of 0 or more");
                    }
                }

                if (!builder.HasAnyPrice || !result.TryAdd((provider.Name, model.Name), builder.Build()))
                {
                    throw new InvalidDataException($"{ResourceName}: {where} has no prices or is listed twice");
                }
            }
        }

        return result;
    }
}
