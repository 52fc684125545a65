namespace Tollgate.Hosting;

/// <summary>The gateway cannot start for a reason outside the config file (the database is unreachable, say).</summary>
internal sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
