using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tollgate.Forwarding;
using Tollgate.Metering;

namespace Tollgate.Keys;

/// <summary>
/// A key's <c>models</c> list. The model is read from the path where the provider puts it there
/// (Gemini and Vertex <c>models/{m}:…</c>, Bedrock <c>model/{id}/…</c>, Azure <c>deployments/{d}/…</c>),
/// else from the JSON body's top-level <c>model</c>, which means reading the body first, so only
/// keys with a models list pay for it. Calls that name no model (listing models, files) are allowed.
/// </summary>
internal static class ModelAccess
{
    public enum Outcome
    {
        Allowed,
        Refused,
        BodyTooLarge,

        /// <summary>The body could not be read (the client broke off or sent a bad chunk).</summary>
        BodyUnreadable,
    }

    public static async ValueTask<(Outcome Outcome, string? Model)> CheckAsync(HttpContext context, StoredKey key, string tail, long maxBodyBytes)
    {
        if (key.Models.Count == 0)
        {
            return (Outcome.Allowed, null);
        }

        var (outcome, model) = await ReadAsync(context, tail, maxBodyBytes);
        if (outcome != Outcome.Allowed)
        {
            return (outcome, null);
        }

        return (model is null || Allows(key.Models, model) ? Outcome.Allowed : Outcome.Refused, model);
    }

    /// <summary>
    /// The model the request names: from the path, else from a JSON body's top-level <c>model</c> (the body
    /// is buffered, and forwarded from the buffer). <see cref="Outcome.Allowed"/> unless the body could not be read.
    /// </summary>
    public static async ValueTask<(Outcome Outcome, string? Model)> ReadAsync(HttpContext context, string tail, long maxBodyBytes)
    {
        var model = FromPath(tail);
        if (model is not null || !IsJson(context.Request.ContentType))
        {
            return (Outcome.Allowed, model);
        }

        BufferedRequestBody? body;
        try
        {
            body = await BufferedRequestBody.ReadAsync(context, maxBodyBytes, context.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            return (e.StatusCode == StatusCodes.Status413PayloadTooLarge ? Outcome.BodyTooLarge : Outcome.BodyUnreadable, null);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return (Outcome.BodyUnreadable, null);
        }

        return body is null ? (Outcome.BodyTooLarge, null) : (Outcome.Allowed, FromJson(body.Memory.Span));
    }

    /// <summary>Exact names, or a prefix ending in <c>*</c> (<c>claude-3-5-*</c>).</summary>
    public static bool Allows(IReadOnlyList<string> models, string model)
    {
        foreach (var allowed in models)
        {
            if (allowed.EndsWith('*') ? model.StartsWith(allowed.AsSpan(0, allowed.Length - 1), StringComparison.Ordinal) : allowed == model)
            {
                return true;
            }
        }

        return false;
    }

    public static string? FromPath(string tail) =>
        MeteredPaths.TryReadBedrockModel(tail, out var bedrockModel, out _) ? bedrockModel
            : MeteredPaths.GoogleModel(tail) ?? MeteredPaths.AzureDeployment(tail);

    public static string? FromJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (isModel)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the provider will say so; there is no model to judge.
        }

        return null;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Contains("json", StringComparison.OrdinalIgnoreCase);
}
