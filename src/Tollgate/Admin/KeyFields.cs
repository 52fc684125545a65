using System.Text.Json;
using Tollgate.Guardrails;
using Tollgate.Keys;

namespace Tollgate.Admin;

/// <summary>
/// Applies the fields of a <c>/key/generate</c> or <c>/key/update</c> body to a key. Only the fields
/// present change; <c>null</c> clears a limit. Every problem is reported by field name.
/// </summary>
internal static class KeyFields
{
    private static readonly HashSet<string> Known =
    [
        "key", "key_alias", "models", "allowed_routes", "max_budget", "budget_duration", "rpm_limit", "tpm_limit",
        "max_parallel_requests", "duration", "metadata", "tags", "guardrails", "blocked", "spend",
    ];

    /// <returns>The changed key, or null with <paramref name="problem"/> set.</returns>
    /// <param name="key">The key as it stands.</param>
    /// <param name="body">The request body.</param>
    /// <param name="now">The time of the change.</param>
    /// <param name="guardrails">The configured guardrails, which <c>guardrails</c> may name.</param>
    /// <param name="problem">Why the body was refused.</param>
    public static StoredKey? Apply(StoredKey key, JsonElement body, DateTimeOffset now, GuardrailRegistry guardrails, out string? problem)
    {
        problem = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            problem = "the body must be a JSON object";
            return null;
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!Known.Contains(property.Name))
            {
                problem = $"{property.Name}: not a supported field (supported: {string.Join(", ", Known.Order(StringComparer.Ordinal))})";
                return null;
            }

            var value = property.Value;
            var isNull = value.ValueKind == JsonValueKind.Null;
            try
            {
                key = property.Name switch
                {
                    "key" => key,
                    "key_alias" => key with { KeyAlias = isNull ? null : NonEmptyString(value) },
                    "models" => key with { Models = isNull ? [] : Strings(value) },
                    "allowed_routes" => key with { AllowedRoutes = isNull ? [] : Routes(value) },
                    "max_budget" => key with { MaxBudget = isNull ? null : Money(value) },
                    "budget_duration" => isNull
                        ? key with { BudgetDuration = null, BudgetResetAt = null }
                        : key with { BudgetResetAt = After(now, value), BudgetDuration = value.GetString() },
                    "rpm_limit" => key with { RpmLimit = isNull ? null : Positive(value) },
                    "tpm_limit" => key with { TpmLimit = isNull ? null : Positive(value) },
                    "max_parallel_requests" => key with { MaxParallelRequests = isNull ? null : Positive(value) },
                    "duration" => key with { ExpiresAt = isNull ? null : After(now, value) },
                    "metadata" => key with { MetadataJson = isNull ? "{}" : JsonObject(value) },
                    "tags" => key with { Tags = isNull ? [] : Strings(value) },
                    "guardrails" => key with { Guardrails = isNull ? [] : GuardrailNames(value, guardrails) },
                    "blocked" => key with { Blocked = !isNull && Boolean(value) },
                    "spend" => key with { Spend = isNull ? 0 : Money(value) },
                    _ => key,
                };
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                problem = $"{property.Name}: {e.Message}";
                return null;
            }
        }

        return key with { UpdatedAt = now };
    }

    private static string NonEmptyString(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException("expected a non-empty string");

    private static bool Boolean(JsonElement value) =>
        value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw new FormatException("expected true or false");

    private static string[] Strings(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("expected a list of strings");
        }

        return [.. value.EnumerateArray().Select(NonEmptyString)];
    }

    private static string[] Routes(JsonElement value)
    {
        var routes = Strings(value);
        return routes.FirstOrDefault(r => !r.StartsWith('/')) is { } bad
            ? throw new FormatException($"'{bad}' is not a route prefix (it must start with '/', e.g. /openai)")
            : routes;
    }

    private static string[] GuardrailNames(JsonElement value, GuardrailRegistry guardrails)
    {
        var names = Strings(value).Distinct(StringComparer.Ordinal).ToArray();
        if (names.FirstOrDefault(n => !guardrails.Contains(n)) is { } unknown)
        {
            throw new FormatException(guardrails.All.Count == 0
                ? $"unknown guardrail '{unknown}': the gateway's config defines none"
                : $"unknown guardrail '{unknown}' (defined: {string.Join(", ", guardrails.All.Select(g => g.Name))})");
        }

        return names;
    }

    /// <summary>A trillion dollars: far above any budget, far enough below decimal's range that spend added to it cannot overflow.</summary>
    private const decimal MaxMoney = 1_000_000_000_000m;

    private static decimal Money(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var amount) && amount is >= 0 and <= MaxMoney
            ? amount
            : throw new FormatException("expected a number of US dollars, from 0 to 1000000000000");

    private static long Positive(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count > 0
            ? count
            : throw new FormatException("expected a whole number above 0");

    /// <summary>The instant a duration from now ends; one past the calendar's end (year 9999) is refused, not an overflow.</summary>
    private static DateTimeOffset After(DateTimeOffset now, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String || !Duration.TryParse(value.GetString(), out var duration))
        {
            throw new FormatException("expected a duration such as \"30s\", \"15m\", \"1h\", \"1d\", \"2w\" or \"1mo\"");
        }

        return duration < DateTimeOffset.MaxValue - now
            ? now + duration
            : throw new FormatException($"'{value.GetString()}' ends after the year 9999; use a shorter duration, or null for none");
    }

    private static string JsonObject(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object ? value.GetRawText() : throw new FormatException("expected a JSON object");

    /// <summary>A <c>key</c> field or query value: the key itself (<c>sk-…</c>) or its SHA-256 hex (<c>token</c>).</summary>
    public static bool TryReadKeyReference(string? text, out KeyHash token)
    {
        token = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.StartsWith("sk-", StringComparison.Ordinal))
        {
            token = KeyHash.Of(text);
            return true;
        }

        return KeyHash.TryParse(text, out token);
    }
}
