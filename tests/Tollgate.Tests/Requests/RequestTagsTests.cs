using Tollgate.Requests;

namespace Tollgate.Tests.Requests;

public sealed class RequestTagsTests
{
    [Fact]
    public void Splits_trims_and_drops_empties_across_both_headers()
    {
        var tags = RequestTags.Parse(new(["team-a, prod ,,", "batch"]), new(" prod,eval "));

        Assert.Equal(["team-a", "prod", "batch", "eval"], tags);
    }

    [Fact]
    public void No_headers_means_no_tags() => Assert.Empty(RequestTags.Parse(default, default));
}
