using Operational.Gateway.Operators;
using Operational.Gateway.Operators.MongoDb;
using Operational.Gateway.Operators.Sqlite;

namespace Operational.IntegrationTests.Identity;

/// <summary>What both operator stores must do: unique usernames, sessions that die with their operator or password.</summary>
public abstract class OperatorStoreContract : StoreContract<IOperatorStore>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static Operator Account(string id, string username, string role = OperatorRoles.Member) => new(id, username, "hash-" + id, role, Now);

    [Fact]
    public async Task Usernames_are_unique_and_operators_list_oldest_first()
    {
        Assert.False(await Store.AnyOperatorAsync(CancellationToken.None));
        Assert.True(await Store.TryAddOperatorAsync(Account("op_1", "ana", OperatorRoles.Admin), CancellationToken.None));
        Assert.True(await Store.TryAddOperatorAsync(Account("op_2", "ben") with { CreatedAt = Now.AddMinutes(1) }, CancellationToken.None));
        Assert.False(await Store.TryAddOperatorAsync(Account("op_3", "ana"), CancellationToken.None));

        Assert.True(await Store.AnyOperatorAsync(CancellationToken.None));
        Assert.Equal(["ana", "ben"], (await Store.ListOperatorsAsync(CancellationToken.None)).Select(o => o.Username));
        Assert.Equal(Account("op_1", "ana", OperatorRoles.Admin), await Store.FindByUsernameAsync("ana", CancellationToken.None));
        Assert.Null(await Store.FindByUsernameAsync("cleo", CancellationToken.None));
    }

    [Fact]
    public async Task Sessions_are_found_by_hash_and_end_with_their_operator()
    {
        await Store.TryAddOperatorAsync(Account("op_1", "ana"), CancellationToken.None);
        var session = new OperatorSession("h1", "op_1", Now, Now.AddDays(30));
        await Store.AddSessionAsync(session, CancellationToken.None);

        var found = await Store.FindSessionAsync("h1", CancellationToken.None);
        Assert.Equal(session, found!.Value.Session);
        Assert.Equal("ana", found.Value.Operator.Username);
        Assert.Null(await Store.FindSessionAsync("h2", CancellationToken.None));

        Assert.True(await Store.DeleteOperatorAsync("op_1", CancellationToken.None));
        Assert.False(await Store.DeleteOperatorAsync("op_1", CancellationToken.None));
        Assert.Null(await Store.FindSessionAsync("h1", CancellationToken.None));
    }

    [Fact]
    public async Task A_new_password_keeps_only_the_session_that_set_it()
    {
        await Store.TryAddOperatorAsync(Account("op_1", "ana"), CancellationToken.None);
        await Store.TryAddOperatorAsync(Account("op_2", "ben"), CancellationToken.None);
        await Store.AddSessionAsync(new OperatorSession("laptop", "op_1", Now, Now.AddDays(30)), CancellationToken.None);
        await Store.AddSessionAsync(new OperatorSession("phone", "op_1", Now, Now.AddDays(30)), CancellationToken.None);
        await Store.AddSessionAsync(new OperatorSession("other", "op_2", Now, Now.AddDays(30)), CancellationToken.None);

        await Store.SetPasswordHashAsync("op_1", "new-hash", "laptop", CancellationToken.None);

        Assert.Equal("new-hash", (await Store.FindByUsernameAsync("ana", CancellationToken.None))!.PasswordHash);
        Assert.NotNull(await Store.FindSessionAsync("laptop", CancellationToken.None));
        Assert.Null(await Store.FindSessionAsync("phone", CancellationToken.None));
        Assert.NotNull(await Store.FindSessionAsync("other", CancellationToken.None));

        await Store.SetPasswordHashAsync("op_1", "newer-hash", keepSessionHash: null, CancellationToken.None);
        Assert.Null(await Store.FindSessionAsync("laptop", CancellationToken.None));
    }

    [Fact]
    public async Task Expired_sessions_are_forgotten()
    {
        await Store.TryAddOperatorAsync(Account("op_1", "ana"), CancellationToken.None);
        await Store.AddSessionAsync(new OperatorSession("old", "op_1", Now.AddDays(-40), Now.AddDays(-10)), CancellationToken.None);
        await Store.AddSessionAsync(new OperatorSession("live", "op_1", Now, Now.AddDays(30)), CancellationToken.None);

        Assert.Equal(1, await Store.DeleteExpiredSessionsAsync(Now, CancellationToken.None));
        Assert.Null(await Store.FindSessionAsync("old", CancellationToken.None));
        Assert.NotNull(await Store.FindSessionAsync("live", CancellationToken.None));
    }
}

public sealed class SqliteOperatorStoreTests : OperatorStoreContract
{
    protected override IOperatorStore CreateStore() => new SqliteOperatorStore(Databases.Sqlite("operators"));
}

public sealed class MongoOperatorStoreTests : OperatorStoreContract
{
    protected override IOperatorStore CreateStore() => new MongoOperatorStore(Databases.Mongo);
}
