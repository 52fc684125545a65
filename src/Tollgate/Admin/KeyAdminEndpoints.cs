using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Errors;
using Tollgate.Guardrails;
using Tollgate.Keys;

namespace Tollgate.Admin;

/// <summary>
/// <c>/key/generate</c>, <c>/key/info</c>, <c>/key/update</c>, <c>/key/delete</c>, <c>/key/list</c>
/// (contract section 8), master key only. Writes go to the database first and then drop this
/// instance's cached copy, so a change takes effect here at once.
/// </summary>
internal static class KeyAdminEndpoints
{
    private const int MaxBodyBytes = 1024 * 1024;
    private const int MaxPageSize = 100;

    public static void MapKeyAdmin(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/key").AddEndpointFilter(AdminAuthentication.RequireMasterKeyAsync);
        keys.MapPost("/generate", GenerateAsync);
        keys.MapGet("/info", InfoAsync);
        keys.MapPost("/update", UpdateAsync);
        keys.MapPost("/delete", DeleteAsync);
        keys.MapGet("/list", ListAsync);
    }

    private static async Task GenerateAsync(HttpContext context, KeyRepository repository, GuardrailRegistry guardrails, TimeProvider time)
    {
        using var body = await ReadBodyAsync(context);
        if (body is null)
        {
            return;
        }

        var root = body.RootElement;
        string key;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("key", out var custom) && custom.ValueKind != JsonValueKind.Null)
        {
            key = custom.ValueKind == JsonValueKind.String ? custom.GetString()! : "";
            if (!key.StartsWith("sk-", StringComparison.Ordinal) || key.Length < 20 || key.Any(char.IsWhiteSpace))
            {
                await AdminResponses.BadRequestAsync(context, "key: a chosen key must start with \"sk-\", be at least 20 characters long and hold no spaces.");
                return;
            }
        }
        else
        {
            key = NewKey();
        }

        var now = time.GetUtcNow();
        var blank = new StoredKey { Token = KeyHash.Of(key), KeyName = DisplayName(key), CreatedAt = now, UpdatedAt = now };
        if (KeyFields.Apply(blank, root, now, guardrails, out var problem) is not { } created)
        {
            await AdminResponses.BadRequestAsync(context, problem!);
            return;
        }

        if (!await repository.InsertAsync(created, context.RequestAborted))
        {
            await AdminResponses.BadRequestAsync(context, "A key with this key_alias (or this key value) already exists.");
            return;
        }

        await AdminResponses.WriteAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            KeyJson.WriteFields(writer, created);
            writer.WriteEndObject();
        });
    }

    private static async Task InfoAsync(HttpContext context, KeyRepository repository)
    {
        if (!KeyFields.TryReadKeyReference(context.Request.Query["key"], out var token))
        {
            await AdminResponses.BadRequestAsync(context, "key: pass the key (sk-…) or its token (SHA-256 hex) as ?key=.");
            return;
        }

        if (await repository.FindAsync(token, context.RequestAborted) is not { } key)
        {
            await NotFoundAsync(context);
            return;
        }

        await AdminResponses.WriteAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("key", key.Token.ToString());
            writer.WriteStartObject("info");
            KeyJson.WriteFields(writer, key);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private static async Task UpdateAsync(HttpContext context, KeyRepository repository, KeyCache cache, GuardrailRegistry guardrails, TimeProvider time)
    {
        using var body = await ReadBodyAsync(context);
        if (body is null)
        {
            return;
        }

        var root = body.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("key", out var reference)
            || reference.ValueKind != JsonValueKind.String || !KeyFields.TryReadKeyReference(reference.GetString(), out var token))
        {
            await AdminResponses.BadRequestAsync(context, "key: required, the key (sk-…) or its token (SHA-256 hex).");
            return;
        }

        if (await repository.FindAsync(token, context.RequestAborted) is not { } existing)
        {
            await NotFoundAsync(context);
            return;
        }

        if (KeyFields.Apply(existing, root, time.GetUtcNow(), guardrails, out var problem) is not { } updated)
        {
            await AdminResponses.BadRequestAsync(context, problem!);
            return;
        }

        switch (await repository.UpdateAsync(updated, context.RequestAborted))
        {
            case null:
                await NotFoundAsync(context);
                return;
            case false:
                await AdminResponses.BadRequestAsync(context, "key_alias: another key already has this alias.");
                return;
        }

        cache.Put(updated);
        if (root.TryGetProperty("spend", out _))
        {
            context.RequestServices.GetService<SharedBudgetCounter>()?.Reset(existing);
        }

        await AdminResponses.WriteAsync(context, writer =>
        {
            writer.WriteStartObject();
            KeyJson.WriteFields(writer, updated);
            writer.WriteEndObject();
        });
    }

    private static async Task DeleteAsync(HttpContext context, KeyRepository repository, KeyCache cache)
    {
        using var body = await ReadBodyAsync(context);
        if (body is null)
        {
            return;
        }

        var root = body.RootElement;
        var tokens = new Dictionary<KeyHash, string>();
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in keys.EnumerateArray())
            {
                var text = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                if (!KeyFields.TryReadKeyReference(text, out var token))
                {
                    await AdminResponses.BadRequestAsync(context, "keys: each entry must be a key (sk-…) or its token (SHA-256 hex).");
                    return;
                }

                tokens[token] = text!;
            }
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("key_aliases", out var aliases) && aliases.ValueKind == JsonValueKind.Array)
        {
            foreach (var alias in aliases.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!))
            {
                if (await repository.FindByAliasAsync(alias, context.RequestAborted) is { } token)
                {
                    tokens[token] = alias;
                }
            }
        }

        if (tokens.Count == 0)
        {
            await AdminResponses.BadRequestAsync(context, "keys or key_aliases: name at least one existing key to delete.");
            return;
        }

        var deleted = await repository.DeleteAsync(tokens.Keys, context.RequestAborted);
        foreach (var token in deleted)
        {
            cache.Remove(token);
        }

        if (deleted.Count == 0)
        {
            await NotFoundAsync(context);
            return;
        }

        await AdminResponses.WriteAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("deleted_keys");
            foreach (var token in deleted)
            {
                writer.WriteStringValue(tokens[token]);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static async Task ListAsync(HttpContext context, KeyRepository repository)
    {
        var query = context.Request.Query;
        var page = ReadInt(query["page"], 1);
        var size = ReadInt(query["size"], 10);
        if (page is not > 0 || size is not (> 0 and <= MaxPageSize))
        {
            await AdminResponses.BadRequestAsync(context, $"page must be 1 or more and size between 1 and {MaxPageSize}.");
            return;
        }

        var fullObjects = string.Equals(query["return_full_object"], "true", StringComparison.OrdinalIgnoreCase);
        var (keys, total) = await repository.ListAsync(page.Value, size.Value, context.RequestAborted);
        await AdminResponses.WriteAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in keys)
            {
                if (fullObjects)
                {
                    writer.WriteStartObject();
                    KeyJson.WriteFields(writer, key);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteStringValue(key.Token.ToString());
                }
            }

            writer.WriteEndArray();
            writer.WriteNumber("total_count", total);
            writer.WriteNumber("current_page", page.Value);
            writer.WriteNumber("total_pages", (total + size.Value - 1) / size.Value);
            writer.WriteEndObject();
        });
    }

    /// <summary><c>sk-</c> and 32 random bytes (256 bits) in URL-safe base64.</summary>
    private static string NewKey() => "sk-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DisplayName(string key) => "sk-..." + key[^4..];

    private static int? ReadInt(string? text, int fallback) =>
        string.IsNullOrEmpty(text) ? fallback : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <returns>The parsed body, or null after answering 400 or 413.</returns>
    private static async Task<JsonDocument?> ReadBodyAsync(HttpContext context)
    {
        if (await ReadCappedAsync(context.Request.Body, context.RequestAborted) is not { } body)
        {
            await ErrorResponse.WriteAsync(context, new GatewayFailure(GatewayError.RequestTooLarge, "Admin request bodies are limited to 1 MiB."));
            return null;
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            await AdminResponses.BadRequestAsync(context, $"The body is not valid JSON: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// The body up to <see cref="MaxBodyBytes"/>, declared length or not (chunked); null past it. Stopping here
    /// rather than at a Kestrel limit lets the 413 reach the client while Kestrel drains what it still sends.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadCappedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static Task NotFoundAsync(HttpContext context) =>
        ErrorResponse.WriteAsync(context, new GatewayFailure(GatewayError.NotFound, "No such key."));
}
