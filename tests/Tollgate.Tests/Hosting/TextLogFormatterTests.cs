using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tollgate.Hosting;

namespace Tollgate.Tests.Hosting;

public sealed class TextLogFormatterTests
{
    [Fact]
    public void Control_characters_a_client_sent_reach_the_text_log_escaped_on_one_line()
    {
        var formatter = new TextLogFormatter(TimeProvider.System);
        var output = new StringWriter();
        const string Tags = "\u001b[2J\u001b[31mowned\r\nfail Tollgate[1] forged line\u009b";
        var entry = new LogEntry<string>(LogLevel.Debug, "Tollgate.Forwarding", new EventId(100), "tags [" + Tags + "]", null, static (state, _) => state);

        formatter.Write(entry, null, output);

        var line = output.ToString();
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.DoesNotContain(line[..^1], char.IsControl);
        Assert.Contains(@"\u001b[31mowned\u000d\u000afail Tollgate[1] forged line\u009b]", line, StringComparison.Ordinal);
        Assert.Contains(" dbug Tollgate.Forwarding[100] tags [", line, StringComparison.Ordinal);
    }
}
