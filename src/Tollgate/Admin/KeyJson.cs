using System.Text.Json;
using Tollgate.Keys;

namespace Tollgate.Admin;

/// <summary>A key as the admin API shows it, with LiteLLM's field names; the key itself only once, at generation.</summary>
internal static class KeyJson
{
    public static void WriteFields(Utf8JsonWriter writer, StoredKey key)
    {
        writer.WriteString("token", key.Token.ToString());
        writer.WriteString("key_name", key.KeyName);
        WriteOptional(writer, "key_alias", key.KeyAlias);
        WriteList(writer, "models", key.Models);
        WriteList(writer, "allowed_routes", key.AllowedRoutes);
        WriteOptional(writer, "max_budget", key.MaxBudget);
        WriteOptional(writer, "budget_duration", key.BudgetDuration);
        WriteOptional(writer, "budget_reset_at", key.BudgetResetAt);
        writer.WriteNumber("spend", key.Spend);
        WriteOptional(writer, "rpm_limit", key.RpmLimit);
        WriteOptional(writer, "tpm_limit", key.TpmLimit);
        WriteOptional(writer, "max_parallel_requests", key.MaxParallelRequests);
        WriteOptional(writer, "expires", key.ExpiresAt);
        writer.WriteBoolean("blocked", key.Blocked);
        writer.WritePropertyName("metadata");
        writer.WriteRawValue(key.MetadataJson, skipInputValidation: true);
        WriteList(writer, "tags", key.Tags);
        WriteList(writer, "guardrails", key.Guardrails);
        writer.WriteString("created_at", key.CreatedAt);
        writer.WriteString("updated_at", key.UpdatedAt);
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, decimal? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteString(name, time);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
