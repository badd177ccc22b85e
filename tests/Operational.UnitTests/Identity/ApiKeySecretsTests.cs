using Operational.Gateway.Identity;

namespace Operational.UnitTests.Identity;

public sealed class ApiKeySecretsTests
{
    [Fact]
    public void Generated_keys_name_their_scope_and_differ()
    {
        var a = ApiKeySecrets.Generate("ingest");
        var b = ApiKeySecrets.Generate("ingest");

        Assert.StartsWith("op_ingest_", a, StringComparison.Ordinal);
        Assert.Equal("op_ingest_".Length + 32, a.Length);
        Assert.NotEqual(a, b);
        Assert.Matches("^op_ingest_[0-9A-Za-z]{32}$", a);
    }

    [Fact]
    public void Hash_is_sha256_hex_and_stable()
    {
        // sha256("abc"), FIPS 180-2 test vector.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeySecrets.Hash("abc"));
    }

    [Fact]
    public void Stored_form_never_contains_the_key()
    {
        var key = ApiKeySecrets.Generate("admin");
        var stored = ApiKeySecrets.Describe(key, "default", "k", ["admin"], DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain(key, stored.ToString(), StringComparison.Ordinal);
        Assert.StartsWith(stored.Prefix, key, StringComparison.Ordinal);
        Assert.True(stored.Prefix.Length <= 12);
    }
}
