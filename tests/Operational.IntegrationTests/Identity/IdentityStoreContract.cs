using Operational.Gateway.Identity;
using Operational.Gateway.Identity.MongoDb;
using Operational.Gateway.Identity.Sqlite;

namespace Operational.IntegrationTests.Identity;

/// <summary>What both identity stores must do: idempotent creation (replicas bootstrap concurrently) and lookup by hash.</summary>
public abstract class IdentityStoreContract : StoreContract<IIdentityStore>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Project_creation_is_idempotent()
    {
        Assert.True(await Store.TryCreateProjectAsync(new Project("default", "Default", Now), CancellationToken.None));
        Assert.False(await Store.TryCreateProjectAsync(new Project("default", "Other", Now), CancellationToken.None));
    }

    [Fact]
    public async Task Key_is_found_by_hash_only()
    {
        await Store.TryCreateProjectAsync(new Project("default", "Default", Now), CancellationToken.None);
        Assert.False(await Store.AnyKeyAsync(CancellationToken.None));
        var key = ApiKeySecrets.Generate("read");
        var described = ApiKeySecrets.Describe(key, "default", "reader", ["read", "ingest"], Now);

        Assert.True(await Store.TryAddKeyAsync(described, CancellationToken.None));
        Assert.False(await Store.TryAddKeyAsync(described with { Id = "another-id" }, CancellationToken.None));

        Assert.True(await Store.AnyKeyAsync(CancellationToken.None));
        var found = await Store.FindKeyByHashAsync(ApiKeySecrets.Hash(key), CancellationToken.None);
        Assert.Equal(described, found! with { Scopes = described.Scopes });
        Assert.Equal(described.Scopes, found.Scopes);
        Assert.Null(await Store.FindKeyByHashAsync(ApiKeySecrets.Hash(key + "x"), CancellationToken.None));
    }

    [Fact]
    public async Task Revocation_time_round_trips()
    {
        await Store.TryCreateProjectAsync(new Project("default", "Default", Now), CancellationToken.None);
        var described = ApiKeySecrets.Describe("some-key-0123456789012345", "default", "old", ["ingest"], Now) with { RevokedAt = Now.AddDays(1) };

        await Store.TryAddKeyAsync(described, CancellationToken.None);

        Assert.Equal(Now.AddDays(1), (await Store.FindKeyByHashAsync(described.Hash, CancellationToken.None))!.RevokedAt);
    }
}

public sealed class SqliteIdentityStoreTests : IdentityStoreContract
{
    protected override IIdentityStore CreateStore() => new SqliteIdentityStore(Databases.Sqlite("gateway"));
}

public sealed class MongoIdentityStoreTests : IdentityStoreContract
{
    protected override IIdentityStore CreateStore() => new MongoIdentityStore(Databases.Mongo);
}
