namespace Tollgate.Forwarding;

/// <summary>
/// A request body could not be held because <see cref="RequestBufferBudget"/> is spent. Thrown by
/// <see cref="BufferedRequestBody"/> so every reader (model check, guardrails, Bedrock signing) fails the
/// same way; <see cref="PassThroughMiddleware"/> answers it with 503 and <c>Retry-After</c>.
/// </summary>
internal sealed class RequestBufferBudgetException(string message) : Exception(message);
