using System.Globalization;

namespace Tollgate.Hosting;

/// <summary><c>[--config FILE] [--host ADDR] [--port N]</c> (contract section 1).</summary>
internal sealed record CommandLine
{
    public const string Usage = "usage: Tollgate [--config FILE] [--host ADDR] [--port N]  (defaults: ./tollgate.yaml if present, 0.0.0.0, 4000)";

    public string? ConfigPath { get; init; }

    public string Host { get; init; } = "0.0.0.0";

    public int Port { get; init; } = 4000;

    public bool ShowHelp { get; init; }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var equals = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inline = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new CommandLineException($"{arg} needs a value. {Usage}"));

            result = arg switch
            {
                "--config" => result with { ConfigPath = Value() },
                "--host" => result with { Host = Value() },
                "--port" => result with { Port = ParsePort(Value()) },
                "--help" or "-h" => result with { ShowHelp = true },
                _ => throw new CommandLineException($"Unknown argument '{arg}'. {Usage}"),
            };
        }

        return result;
    }

    private static int ParsePort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new CommandLineException($"--port must be a number from 0 to 65535, got '{value}'.");
}

internal sealed class CommandLineException(string message) : Exception(message);
