using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Tollgate.Hosting;

/// <summary>
/// The <c>TOLLGATE_LOG_FORMAT=text</c> log line: time, level, category, event id and message on one line.
/// Control characters in the message (a client's tags or path can carry ANSI escapes or line breaks) are
/// written as <c>\u001b</c>, so a client can neither drive the operator's terminal nor forge a line.
/// </summary>
internal sealed class TextLogFormatter(TimeProvider time) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "tollgate-text";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        textWriter.Write(' ');
        textWriter.Write(LevelName(logEntry.LogLevel));
        textWriter.Write(' ');
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
        textWriter.Write("] ");
        WriteEscaped(textWriter, message, keepLineBreaks: false);
        textWriter.Write('\n');
        if (logEntry.Exception is { } exception)
        {
            // A stack trace is many lines by nature; only its other control characters are escaped.
            WriteEscaped(textWriter, exception.ToString(), keepLineBreaks: true);
            textWriter.Write('\n');
        }
    }

    /// <summary>Writes <paramref name="text"/> with every control character (C0, DEL, C1) as a <c>\uXXXX</c> escape.</summary>
    public static void WriteEscaped(TextWriter writer, string? text, bool keepLineBreaks)
    {
        if (text is null)
        {
            return;
        }

        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsControl(c) || (keepLineBreaks && c == '\n'))
            {
                continue;
            }

            writer.Write(text.AsSpan(start, i - start));
            writer.Write("\\u");
            writer.Write(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            start = i + 1;
        }

        writer.Write(text.AsSpan(start));
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
