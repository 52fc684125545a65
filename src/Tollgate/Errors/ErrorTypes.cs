namespace Tollgate.Errors;

/// <summary>The <c>error.type</c> values Tollgate writes; clients branch on them, so they never change.</summary>
internal static class ErrorTypes
{
    public const string Authentication = "auth_error";
    public const string InvalidRequest = "invalid_request_error";
    public const string NotFound = "not_found_error";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string RequestTooLarge = "request_too_large";
    public const string Configuration = "configuration_error";
    public const string UpstreamUnreachable = "upstream_unreachable";
    public const string UpstreamTimeout = "upstream_timeout";
    public const string UpstreamCredential = "upstream_credential_error";
    public const string Internal = "internal_error";
    public const string Overloaded = "gateway_overloaded";
    public const string Forbidden = "forbidden";
    public const string BudgetExceeded = "budget_exceeded";
    public const string RateLimited = "rate_limit_error";
    public const string KeyStoreUnavailable = "key_store_unavailable";
    public const string DatabaseUnavailable = "database_unavailable";
    public const string GuardrailViolation = "guardrail_violation";
    public const string GuardrailUnavailable = "guardrail_unavailable";
}
