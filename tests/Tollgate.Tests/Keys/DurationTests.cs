using Tollgate.Keys;

namespace Tollgate.Tests.Keys;

public sealed class DurationTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 15 * 60)]
    [InlineData("1h", 3600)]
    [InlineData("30d", 30 * 86400)]
    [InlineData("2w", 14 * 86400)]
    [InlineData("1mo", 30 * 86400)]
    public void Reads_litellm_durations(string text, long seconds)
    {
        Assert.True(Duration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("h")]
    [InlineData("1.5h")]
    [InlineData("-1d")]
    [InlineData("1 d")]
    [InlineData("1y")]
    [InlineData("99999999999999999999d")]
    public void Refuses_anything_else(string text) => Assert.False(Duration.TryParse(text, out _));
}
