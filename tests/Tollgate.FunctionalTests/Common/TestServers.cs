namespace Tollgate.FunctionalTests.Common;

/// <summary>External servers (Postgres, Redis) that some tests need: skipped without them, except in CI.</summary>
public static class TestServers
{
    public static void Require(string? url, string variable, string example, string server)
    {
        if (url is not null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{variable} is not set: in CI, .ci/run must start {server} for these tests.");
        }

        Skip.If(true, $"No {server} server: set {variable}={example} (.ci/run does) to run these tests.");
    }
}

/// <summary>The Redis server for shared-limit tests: <c>TOLLGATE_TEST_REDIS</c> (<c>redis://127.0.0.1:port</c>), set by <c>.ci/run</c>.</summary>
public static class TestRedis
{
    public const string VariableName = "TOLLGATE_TEST_REDIS";

    public static string? ServerUrl => Environment.GetEnvironmentVariable(VariableName) is { Length: > 0 } url ? url : null;

    public static void RequireServer() => TestServers.Require(ServerUrl, VariableName, "redis://127.0.0.1:6379", "Redis");
}
