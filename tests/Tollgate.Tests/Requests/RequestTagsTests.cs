using Tollgate.Requests;

namespace Tollgate.Tests.Requests;

public sealed class RequestTagsTests
{
    [Fact]
    public void Splits_trims_and_drops_empties_across_both_headers()
    {
        Assert.True(RequestTags.TryParse(new(["team-a, prod ,,", "batch"]), new(" prod,eval "), out var tags, out _));

        Assert.Equal(["team-a", "prod", "batch", "eval"], tags);
    }

    [Fact]
    public void No_headers_means_no_tags()
    {
        Assert.True(RequestTags.TryParse(default, default, out var tags, out _));

        Assert.Empty(tags);
    }

    [Fact]
    public void Exactly_the_limits_are_allowed_and_repeats_do_not_count()
    {
        var many = string.Join(',', Enumerable.Range(0, RequestTags.MaxCount).Select(i => "t" + i));

        Assert.True(RequestTags.TryParse(new([many, many]), default, out var tags, out _));
        Assert.True(RequestTags.TryParse(default, new(new string('x', RequestTags.MaxLength)), out var longest, out _));

        Assert.Equal(RequestTags.MaxCount, tags.Length);
        Assert.Equal(RequestTags.MaxLength, Assert.Single(longest).Length);
    }

    [Fact]
    public void One_tag_too_many_or_too_long_is_refused_naming_the_limit_not_the_tag()
    {
        var tooMany = string.Join(',', Enumerable.Range(0, RequestTags.MaxCount + 1).Select(i => "t" + i));
        var tooLong = new string('x', RequestTags.MaxLength + 1);

        Assert.False(RequestTags.TryParse(new(tooMany), default, out _, out var countProblem));
        Assert.False(RequestTags.TryParse(default, new(tooLong), out _, out var lengthProblem));

        Assert.Contains("at most 64 tags", countProblem, StringComparison.Ordinal);
        Assert.Contains("at most 256 characters", lengthProblem, StringComparison.Ordinal);
        Assert.DoesNotContain(tooLong, lengthProblem, StringComparison.Ordinal);
    }
}
