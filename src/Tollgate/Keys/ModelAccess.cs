using Microsoft.AspNetCore.Http;
using Tollgate.Errors;
using Tollgate.Forwarding;
using Tollgate.Metering;
using Tollgate.Routing;

namespace Tollgate.Keys;

/// <summary>
/// A key's <c>models</c> list. The model is read where the provider takes it: from the path on the providers
/// that put it there (Gemini and Vertex <c>models/{m}:…</c>, Bedrock <c>model/{id}/…</c>, Azure
/// <c>deployments/{d}/…</c>), else from the body of the operations that take the body's top-level
/// <c>model</c> (<see cref="ModelEndpoints"/>), which means reading the body first, so only keys with a models
/// list pay for it. Calls that run no model (listing, retrieving, uploading files) are allowed; calls that
/// run a model the gateway cannot see are refused unless the key's allowed_routes name them.
/// </summary>
internal static class ModelAccess
{
    public enum Outcome
    {
        Allowed,

        /// <summary>The model is outside the key's list (403).</summary>
        Refused,

        /// <summary>The endpoint runs a model the gateway cannot read (403, naming the endpoint).</summary>
        Unknowable,

        /// <summary>The body could not be judged: <see cref="Check.Failure"/> says why (400, 413, 503).</summary>
        Unreadable,
    }

    public readonly record struct Check(Outcome Outcome, string? Model = null, GatewayFailure? Failure = null);

    public static async ValueTask<Check> CheckAsync(HttpContext context, PassThroughRoute route, StoredKey key, string tail, GatewayLimits limits)
    {
        if (key.Models.Count == 0)
        {
            return new(Outcome.Allowed);
        }

        if (PathNamesModel(route) && FromPath(tail) is { } pathModel)
        {
            return new(Allows(key.Models, pathModel) ? Outcome.Allowed : Outcome.Refused, pathModel);
        }

        var request = context.Request;
        var upstreamPath = string.Concat(route.Upstream?.BasePath, tail);
        switch (ModelEndpoints.Classify(request.Method, upstreamPath, WebSocketPolicy.IsHandshake(context)))
        {
            case ModelEndpoints.Kind.NoModel:
                return new(Outcome.Allowed);
            case ModelEndpoints.Kind.Unknown:
                return new(key.NamesEndpoint(route.Prefix + tail, route.Prefix) ? Outcome.Allowed : Outcome.Unknowable);
        }

        var read = await ReadBodyAsync(context, limits);
        if (read.Outcome != Outcome.Allowed)
        {
            return read;
        }

        return read.Model is null
            ? new(key.NamesEndpoint(route.Prefix + tail, route.Prefix) ? Outcome.Allowed : Outcome.Unknowable)
            : new(Allows(key.Models, read.Model) ? Outcome.Allowed : Outcome.Refused, read.Model);
    }

    /// <summary>
    /// The model a request names, for pricing a provider whose answers name none (Cohere): from the path, else from
    /// a JSON body (buffered, and forwarded from the buffer). <see cref="Outcome.Unreadable"/> when the body cannot be judged.
    /// </summary>
    public static ValueTask<Check> ReadAsync(HttpContext context, string tail, GatewayLimits limits) =>
        FromPath(tail) is { } model ? ValueTask.FromResult(new Check(Outcome.Allowed, model))
            : context.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true ? ReadBodyAsync(context, limits)
            : ValueTask.FromResult(new Check(Outcome.Allowed));

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

    /// <summary>Only these providers take the model from the path; elsewhere a <c>/models/x</c> segment decides nothing.</summary>
    private static bool PathNamesModel(PassThroughRoute route) =>
        route.Definition?.Id is Providers.ProviderId.Gemini or Providers.ProviderId.VertexAi or Providers.ProviderId.Bedrock or Providers.ProviderId.Azure;

    private static async ValueTask<Check> ReadBodyAsync(HttpContext context, GatewayLimits limits)
    {
        var request = context.Request;
        if (request.Headers.ContentEncoding is { Count: > 0 } encoding && !string.Equals(encoding.ToString(), "identity", StringComparison.OrdinalIgnoreCase))
        {
            return Unreadable("A compressed request body (Content-Encoding) cannot be checked for its model: send it uncompressed.");
        }

        var (body, failure) = await BufferedRequestBody.TryReadAsync(context, limits, context.RequestAborted);
        if (failure is not null)
        {
            return new(Outcome.Unreadable, Failure: failure);
        }

        var (model, problem) = await BodyModelReader.ReadAsync(body!.Memory, request.ContentType, context.RequestAborted);
        return problem is null ? new(Outcome.Allowed, model) : Unreadable($"The request's model cannot be checked: {problem}.");
    }

    private static Check Unreadable(string message) =>
        new(Outcome.Unreadable, Failure: new GatewayFailure(GatewayError.InvalidRequest, message));
}
