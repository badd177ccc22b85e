using Operational.ServiceDefaults.Identity;

namespace Operational.UnitTests.Identity;

public sealed class GatewayIdentityTokenTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly CallerIdentity Caller = new("default", "key-1", [ApiScopes.Read, ApiScopes.Ingest]);

    [Fact]
    public void Valid_token_carries_the_caller()
    {
        var token = GatewayIdentityToken.Create(Caller, Secret, Now.AddSeconds(60));

        Assert.True(GatewayIdentityToken.TryValidate(token, Secret, Now, out var caller, out var error), error);
        Assert.Equal(Caller.ProjectId, caller!.ProjectId);
        Assert.Equal(Caller.KeyId, caller.KeyId);
        Assert.Equal(Caller.Scopes, caller.Scopes);
    }

    [Fact]
    public void Other_secret_is_refused()
    {
        var token = GatewayIdentityToken.Create(Caller, Secret, Now.AddSeconds(60));

        Assert.False(GatewayIdentityToken.TryValidate(token, "another-secret-another-secret-000", Now, out _, out var error));
        Assert.Contains("signature", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Changed_payload_is_refused()
    {
        var token = GatewayIdentityToken.Create(Caller, Secret, Now.AddSeconds(60));
        var other = GatewayIdentityToken.Create(Caller with { ProjectId = "victim" }, "attacker-secret-attacker-secret-0", Now.AddSeconds(60));
        var forged = string.Join('.', token.Split('.')[0], other.Split('.')[1], token.Split('.')[2]);

        Assert.False(GatewayIdentityToken.TryValidate(forged, Secret, Now, out _, out _));
    }

    [Fact]
    public void Expired_token_is_refused()
    {
        var token = GatewayIdentityToken.Create(Caller, Secret, Now.AddSeconds(60));

        Assert.False(GatewayIdentityToken.TryValidate(token, Secret, Now.AddSeconds(61), out _, out var error));
        Assert.Contains("expired", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1.only-two")]
    [InlineData("v2.a.b")]
    [InlineData("v1.!!!.sig")]
    public void Malformed_token_is_refused(string? token)
    {
        Assert.False(GatewayIdentityToken.TryValidate(token, Secret, Now, out var caller, out var error));
        Assert.Null(caller);
        Assert.NotNull(error);
    }
}
