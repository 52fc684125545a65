using Tollgate.Configuration;
using Tollgate.Hosting;

try
{
    var commandLine = CommandLine.Parse(args);
    if (commandLine.ShowHelp)
    {
        Console.WriteLine(CommandLine.Usage);
        return 0;
    }

    var app = await TollgateApplication.BuildAsync(new GatewayStartOptions
    {
        ConfigPath = commandLine.ConfigPath ?? (File.Exists("tollgate.yaml") ? "tollgate.yaml" : null),
        Host = commandLine.Host,
        Port = commandLine.Port,
    });
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is ConfigurationException or CommandLineException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (StartupException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
