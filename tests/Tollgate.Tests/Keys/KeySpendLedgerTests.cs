using Tollgate.Keys;
using Tollgate.Spend;

namespace Tollgate.Tests.Keys;

public sealed class KeySpendLedgerTests
{
    private static readonly KeyHash Token = KeyHash.Of("sk-ledger-test");

    private readonly KeySpendLedger _ledger = new();

    [Fact]
    public void A_cost_counts_until_a_key_read_after_its_row_was_written_holds_it()
    {
        var before = Read(0m);
        _ledger.Charge(Token, 0.25m);
        var row = Row(0.25m);
        _ledger.Writing([row], replay: false);
        _ledger.Written([row], replay: false);

        Assert.Equal(0.25m, _ledger.Unsettled(before));
        var after = Read(0.25m, out var exact);
        Assert.True(exact);
        Assert.Equal(0m, _ledger.Unsettled(after));
    }

    [Fact]
    public void A_key_read_while_its_rows_are_written_counts_them_high_and_is_not_exact()
    {
        _ledger.Charge(Token, 0.25m);
        var row = Row(0.25m);
        var mark = _ledger.Before(Token);
        _ledger.Writing([row], replay: false);
        _ledger.Written([row], replay: false);

        // The read may have seen the row (spend 0.25) or not: either way the cost still counts once more, never less.
        var key = _ledger.Settles(Stored(0.25m), mark, out var exact);

        Assert.False(exact);
        Assert.Equal(0.25m, _ledger.Unsettled(key));
    }

    [Fact]
    public void Spilled_rows_count_until_they_are_replayed_and_foreign_rows_never_settle_more_than_was_spilled()
    {
        _ledger.Charge(Token, 0.25m);
        var own = Row(0.25m);
        _ledger.Writing([own], replay: false);
        _ledger.NotWritten([own], replay: false, spilled: true);
        Assert.Equal(0.25m, _ledger.Unsettled(Read(0m)));

        // The file as read back: a previous run's row first, then ours, both without their mark.
        List<SpendLogRow> file = [Row(0.5m) with { ChargedHere = false }, own with { ChargedHere = false }];
        _ledger.Writing(file, replay: true);
        _ledger.Written(file, replay: true);

        Assert.Equal(0m, _ledger.Unsettled(Read(0.75m)));
    }

    [Fact]
    public void A_retried_write_settles_nothing()
    {
        _ledger.Charge(Token, 0.25m);
        var row = Row(0.25m);
        _ledger.Writing([row], replay: false);
        _ledger.NotWritten([row], replay: false, spilled: false);

        Assert.Equal(0.25m, _ledger.Unsettled(Read(0m)));
    }

    private StoredKey Read(decimal spend) => Read(spend, out _);

    private StoredKey Read(decimal spend, out bool exact) => _ledger.Settles(Stored(spend), _ledger.Before(Token), out exact);

    private static StoredKey Stored(decimal spend) => new() { Token = Token, KeyName = "sk-...test", MaxBudget = 1m, Spend = spend };

    private static SpendLogRow Row(decimal spend) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        ApiKey = Token.ToString(),
        Route = "/openai/v1/chat/completions",
        CustomLlmProvider = "openai",
        Status = "success",
        StartTime = DateTimeOffset.UnixEpoch,
        EndTime = DateTimeOffset.UnixEpoch,
        Spend = spend,
        ChargedHere = true,
    };
}
