using Tollgate.Hosting;

namespace Tollgate.Tests.Hosting;

public sealed class CallIdTests
{
    [Fact]
    public void A_call_id_is_a_version_7_uuid_carrying_the_unix_millisecond()
    {
        var now = new DateTimeOffset(2026, 12, 7, 3, 30, 15, 123, TimeSpan.Zero);

        var id = Guid.Parse(CallIdMiddleware.NewCallId(new FixedTime(now)));

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
        var bytes = id.ToByteArray(bigEndian: true);
        var milliseconds = ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
        Assert.Equal(now.ToUnixTimeMilliseconds(), milliseconds);
    }

    [Fact]
    public void Call_ids_do_not_repeat_and_sort_by_time()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => CallIdMiddleware.NewCallId(TimeProvider.System)).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        var first = ids[0][..13];
        Assert.True(string.CompareOrdinal(ids[^1][..13], first) >= 0);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
