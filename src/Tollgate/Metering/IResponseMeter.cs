namespace Tollgate.Metering;

/// <summary>
/// Watches one response body as it passes to the client, byte for byte and in the order sent, and
/// works out the model and token usage. Never throws on bad input (a corrupt frame ends parsing, not
/// the client's stream) and holds bounded memory however long the stream.
/// </summary>
internal interface IResponseMeter
{
    /// <summary>The next bytes of the body exactly as they went to the client; any split is possible.</summary>
    void Observe(ReadOnlySpan<byte> bytes);

    /// <summary>The body ended (completely, or cut: the usage then stays as far as seen).</summary>
    void Complete();

    /// <summary>The model the response names, if it names one (else null; the request's model is used).</summary>
    string? ResponseModel { get; }

    /// <summary>
    /// The model to bill: from the path where the provider puts it there (Gemini and Vertex
    /// <c>models/{m}:…</c>, Bedrock <c>model/{id}/…</c>, Azure <c>deployments/{d}/…</c>), else the
    /// request's model, else <see cref="ResponseModel"/>; null when none of them names one.
    /// </summary>
    string? Model { get; }

    TokenUsage Usage { get; }
}
