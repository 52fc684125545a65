using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tollgate.Bench.Load;
using Tollgate.Bench.Load.Http;
using Tollgate.Bench.Load.Scenarios;

// The load generator and report of bench/run.sh (see bench/README.md):
//   run --targets FILE [--markdown FILE] [--duration S ...]   measure every row, print and write the report
//   free-port                                                  print a free TCP port on 127.0.0.1
//   generate-key GATEWAY_URL MASTER_KEY                        create a virtual key, print it
//   soak --targets FILE --row NAME --rate R --seconds S [--markdown FILE]   long fixed-rate run, RSS sampled
//   spend-check GATEWAY_URL                                    wait for Tollgate's spend log to drain, print calls vs rows
try
{
    return args switch
    {
        ["run", .. var rest] => await RunAsync(BenchSettings.Parse(rest)),
        ["free-port"] => FreePort(),
        ["generate-key", var gateway, var masterKey] => await GenerateKeyAsync(new Uri(gateway), masterKey),
        ["soak", .. var rest] => SoakRun(rest),
        ["spend-check", var gateway] => await SpendCheck.RunAsync(new Uri(gateway)),
        _ => Usage(),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or HttpRequestException or IOException)
{
    Console.Error.WriteLine($"Tollgate.Bench.Load: {e.Message}");
    return 1;
}

static async Task<int> RunAsync(BenchSettings settings)
{
    var targets = Target.ReadFile(settings.TargetsFile);
    var (rows, othersCpu) = await BenchRun.RunAsync(settings, targets);
    var markdown = BenchReport.Markdown(settings, rows, othersCpu, TimeProvider.System.GetUtcNow());
    Console.WriteLine();
    Console.WriteLine(markdown);
    if (settings.MarkdownFile is not null)
    {
        await File.WriteAllTextAsync(settings.MarkdownFile, markdown);
        Console.WriteLine($"Written to {settings.MarkdownFile}");
    }

    return 0;
}

static int SoakRun(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        options[args[i]] = args[i + 1];
    }

    string Option(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"soak needs {name}.");
    var row = Option("--row");
    var target = Target.ReadFile(Option("--targets")).SingleOrDefault(t => t.Name == row) ?? throw new ArgumentException($"No row '{row}' in the targets file.");
    var rate = double.Parse(Option("--rate"), CultureInfo.InvariantCulture);
    var duration = TimeSpan.FromSeconds(double.Parse(Option("--seconds"), CultureInfo.InvariantCulture));
    var warmup = TimeSpan.FromSeconds(Math.Min(120, duration.TotalSeconds / 5));
    if (duration < TimeSpan.FromMinutes(3))
    {
        throw new ArgumentException("A soak needs at least 180 s: a warm-up, a baseline minute and a last minute.");
    }

    Console.WriteLine($"Soak: {row} at {rate:N0} req/s for {duration.TotalMinutes:0.#} min...");
    var request = RequestBytes.Post(target, RequestBytes.ChatBody, [new("x-bench-size", "s")]);
    var soak = Soak.Run(target, request, rate, duration, 32, warmup);
    var markdown = Soak.Markdown(soak, target, rate);
    Console.WriteLine();
    Console.WriteLine(markdown);
    if (options.TryGetValue("--markdown", out var file))
    {
        File.AppendAllText(file, Environment.NewLine + markdown);
    }

    return 0;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture));
    return 0;
}

static async Task<int> GenerateKeyAsync(Uri gateway, string masterKey)
{
    using var client = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
    using var request = new HttpRequestMessage(HttpMethod.Post, "/key/generate")
    {
        Content = new StringContent("""{"key_alias":"bench","metadata":{"created_by":"bench/run.sh"}}""", Encoding.UTF8, "application/json"),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", masterKey);
    using var response = await client.SendAsync(request);
    var body = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"POST /key/generate answered {(int)response.StatusCode}: {body}");
    }

    using var document = JsonDocument.Parse(body);
    Console.WriteLine(document.RootElement.GetProperty("key").GetString());
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Tollgate.Bench.Load run --targets FILE [--markdown FILE] [options] | free-port | generate-key GATEWAY_URL MASTER_KEY");
    return 2;
}
