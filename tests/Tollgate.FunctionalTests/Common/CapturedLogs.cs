using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Tollgate.FunctionalTests.Common;

/// <summary>Collects every log line the gateway writes, with its structured values.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public string AllText => string.Join("\n", Entries.Select(e => e.ToString()));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            sink.Entries.Enqueue(new CapturedLog(category, logLevel, eventId.Id, formatter(state, exception), values, exception));
        }
    }
}

public sealed record CapturedLog(
    string Category, LogLevel Level, int EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values, Exception? Exception)
{
    public object? Value(string name) => Values.FirstOrDefault(v => v.Key == name).Value;

    public override string ToString() => $"{Level} {Category}[{EventId}] {Message} {Exception}";
}
