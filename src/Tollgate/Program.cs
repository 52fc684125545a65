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

    var configPath = commandLine.ConfigPath ?? (File.Exists("tollgate.yaml") ? "tollgate.yaml" : null);
    var config = configPath is null ? TollgateConfig.Empty : ConfigLoader.LoadFile(configPath, Environment.GetEnvironmentVariable);
    var app = await TollgateApplication.BuildAsync(new GatewayStartOptions
    {
        Config = config,
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
