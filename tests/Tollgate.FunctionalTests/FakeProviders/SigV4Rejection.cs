namespace Tollgate.FunctionalTests.FakeProviders;

/// <summary>
/// Why a fake AWS service refused a signature: the <c>x-amzn-ErrorType</c> and message AWS would send,
/// and a detail for the test log (never sent) such as the canonical request the caller should have signed.
/// </summary>
public sealed record SigV4Rejection(string ErrorType, string Message, string Detail);
