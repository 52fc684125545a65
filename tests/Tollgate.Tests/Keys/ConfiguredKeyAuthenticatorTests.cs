using Tollgate.Configuration;
using Tollgate.Keys;

namespace Tollgate.Tests.Keys;

public sealed class ConfiguredKeyAuthenticatorTests
{
    private static async Task<KeyCheckOutcome> Check(GeneralSettings settings, string? key) =>
        (await new ConfiguredKeyAuthenticator(settings).CheckAsync(key, CancellationToken.None)).Outcome;

    [Fact]
    public async Task Accepts_the_master_key_and_listed_keys_only()
    {
        var settings = new GeneralSettings { MasterKey = "sk-master", VirtualKeys = ["sk-team"] };

        Assert.Equal(KeyCheckOutcome.Accepted, await Check(settings, "sk-master"));
        Assert.Equal(KeyCheckOutcome.Accepted, await Check(settings, "sk-team"));
        Assert.Equal(KeyCheckOutcome.Invalid, await Check(settings, "sk-teaM"));
        Assert.Equal(KeyCheckOutcome.Missing, await Check(settings, null));
    }

    [Fact]
    public async Task Without_a_master_key_nothing_is_accepted_unless_the_gateway_is_explicitly_open()
    {
        Assert.Equal(KeyCheckOutcome.NoMasterKey, await Check(new GeneralSettings(), "sk-anything"));
        Assert.Equal(KeyCheckOutcome.Open, await Check(new GeneralSettings { AllowUnauthenticated = true }, null));
    }

    [Fact]
    public async Task Reports_the_hash_of_the_presented_key_not_the_key()
    {
        var check = await new ConfiguredKeyAuthenticator(new GeneralSettings { MasterKey = "sk-master" }).CheckAsync("sk-master", CancellationToken.None);

        // SHA-256("sk-master"), as spend rows will carry it.
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("sk-master"u8)), check.Hash.ToString());
    }
}
