using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tollgate.Bench.Load;

// The load generator and report of bench/run.sh (see bench/README.md):
//   run --targets FILE [--markdown FILE] [--duration S ...]   measure every row, print and write the report
//   free-port                                                  print a free TCP port on 127.0.0.1
//   generate-key GATEWAY_URL MASTER_KEY                        create a virtual key, print it
//   spend-check GATEWAY_URL                                    wait for Tollgate's spend log to drain, print calls vs rows
try
{
    return args switch
    {
        ["run", .. var rest] => await RunAsync(BenchSettings.Parse(rest)),
        ["free-port"] => FreePort(),
        ["generate-key", var gateway, var masterKey] => await GenerateKeyAsync(new Uri(gateway), masterKey),
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
