using Tollgate.Hosting;

namespace Tollgate.Tests.Hosting;

public sealed class CommandLineTests
{
    [Fact]
    public void No_arguments_give_the_documented_defaults()
    {
        var parsed = CommandLine.Parse([]);

        Assert.Null(parsed.ConfigPath);
        Assert.Equal("0.0.0.0", parsed.Host);
        Assert.Equal(4000, parsed.Port);
        Assert.False(parsed.ShowHelp);
    }

    [Fact]
    public void Config_host_and_port_are_read_from_separate_values()
    {
        var parsed = CommandLine.Parse(["--config", "conf/tollgate.yaml", "--host", "127.0.0.1", "--port", "8080"]);

        Assert.Equal("conf/tollgate.yaml", parsed.ConfigPath);
        Assert.Equal("127.0.0.1", parsed.Host);
        Assert.Equal(8080, parsed.Port);
    }

    [Fact]
    public void Values_may_follow_an_equals_sign()
    {
        var parsed = CommandLine.Parse(["--port=5", "--config=a=b.yaml", "--host=127.0.0.1"]);

        Assert.Equal(5, parsed.Port);
        Assert.Equal("a=b.yaml", parsed.ConfigPath);
        Assert.Equal("127.0.0.1", parsed.Host);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_is_recognised(string flag)
    {
        Assert.True(CommandLine.Parse([flag]).ShowHelp);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("+80")]
    [InlineData("")]
    public void Port_outside_0_to_65535_is_refused(string port)
    {
        var error = Assert.Throws<CommandLineException>(() => CommandLine.Parse(["--port", port]));

        Assert.Contains("--port", error.Message);
        Assert.Contains($"'{port}'", error.Message);
    }

    [Theory]
    [InlineData("--verbose")]
    [InlineData("config.yaml")]
    [InlineData("--port-number=4")]
    public void Unknown_argument_is_refused_by_name(string argument)
    {
        var error = Assert.Throws<CommandLineException>(() => CommandLine.Parse([argument]));

        Assert.Contains($"'{argument.Split('=')[0]}'", error.Message);
    }

    [Theory]
    [InlineData("--config")]
    [InlineData("--host")]
    [InlineData("--port")]
    public void Option_without_its_value_is_refused(string option)
    {
        var error = Assert.Throws<CommandLineException>(() => CommandLine.Parse(["--host", "127.0.0.1", option]));

        Assert.Contains($"{option} needs a value", error.Message);
    }
}
