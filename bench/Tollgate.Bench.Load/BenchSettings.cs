using System.Globalization;

namespace Tollgate.Bench.Load;

/// <summary>The knobs of one <c>run</c>; bench/run.sh passes them from its environment variables (bench/README.md).</summary>
internal sealed record BenchSettings
{
    public required string TargetsFile { get; init; }

    public string? MarkdownFile { get; init; }

    /// <summary>Closed-loop warm-up per row before anything is measured, in s.</summary>
    public double WarmupSeconds { get; init; } = 15;

    /// <summary>Connections of the saturation run.</summary>
    public int Connections { get; init; } = 32;

    /// <summary>Length of the saturation run per row, in s, all rounds together.</summary>
    public double SaturationSeconds { get; init; } = 6;

    /// <summary>Length of the concurrency-1 run per row, in s, all rounds together.</summary>
    public double SingleSeconds { get; init; } = 6;

    /// <summary>
    /// The saturation and concurrency-1 runs go through the rows this many times, each for its share of
    /// the length, and the stream run is repeated as many times: a slow spell of the shared machine then
    /// lands on every row rather than on one.
    /// </summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Requests per second of the fixed-rate run.</summary>
    public double Rate { get; init; } = 500;

    /// <summary>Length of the fixed-rate run, in s.</summary>
    public double RateSeconds { get; init; } = 5;

    /// <summary>Connections the fixed-rate run may use.</summary>
    public int RateConnections { get; init; } = 16;

    /// <summary>Concurrent SSE streams.</summary>
    public int Streams { get; init; } = 200;

    /// <summary>Content events per stream.</summary>
    public int Events { get; init; } = 64;

    /// <summary>Pause between events, in ms.</summary>
    public int EventDelayMs { get; init; } = 20;

    /// <summary>The fake's think time before the first event, in ms.</summary>
    public int ThinkMs { get; init; } = 20;

    /// <summary>Stream requests go out spread over this long, in ms.</summary>
    public int RampMs { get; init; } = 500;

    /// <summary>Canned answer size of the non-streaming runs: s, m or l.</summary>
    public string Size { get; init; } = "s";

    /// <summary>Lines for the report's header (versions, machine notes).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static BenchSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new BenchSettings { TargetsFile = "" };
        var notes = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            settings = name switch
            {
                "--targets" => settings with { TargetsFile = value },
                "--markdown" => settings with { MarkdownFile = value },
                "--warmup" => settings with { WarmupSeconds = Number(name, value) },
                "--connections" => settings with { Connections = Whole(name, value) },
                "--duration" => settings with { SaturationSeconds = Number(name, value) },
                "--c1-duration" => settings with { SingleSeconds = Number(name, value) },
                "--rounds" => settings with { Rounds = Math.Max(1, Whole(name, value)) },
                "--rate" => settings with { Rate = Number(name, value) },
                "--rate-duration" => settings with { RateSeconds = Number(name, value) },
                "--rate-connections" => settings with { RateConnections = Whole(name, value) },
                "--streams" => settings with { Streams = Whole(name, value) },
                "--events" => settings with { Events = Whole(name, value) },
                "--event-delay-ms" => settings with { EventDelayMs = Whole(name, value) },
                "--think-ms" => settings with { ThinkMs = Whole(name, value) },
                "--ramp-ms" => settings with { RampMs = Whole(name, value) },
                "--size" => value is "s" or "m" or "l" ? settings with { Size = value } : throw new ArgumentException("--size is s, m or l."),
                "--note" => settings,
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
            if (name == "--note")
            {
                notes.Add(value);
            }
        }

        if (settings.TargetsFile.Length == 0)
        {
            throw new ArgumentException("--targets FILE is required.");
        }

        return settings with { Notes = notes };
    }

    private static double Number(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{name} must be a positive number, got '{value}'.");

    private static int Whole(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 0
            ? number
            : throw new ArgumentException($"{name} must be a whole number, got '{value}'.");
}
