using Operational.ServiceDefaults.Storage;

namespace Operational.IntegrationTests;

/// <summary>
/// The base of every store's contract suite: each test gets a fresh, initialized store (initialized
/// twice, as every start calls it). Each provider's test class says how to make one from
/// <see cref="Databases"/>; a second call must give another store over the same data, as a
/// replica has.
/// </summary>
public abstract class StoreContract<TStore> : IAsyncLifetime
    where TStore : IServiceStore
{
    protected TStore Store { get; private set; } = default!;

    protected TestDatabases Databases { get; } = new();

    protected abstract TStore CreateStore();

    public async ValueTask InitializeAsync()
    {
        Store = CreateStore();
        await Store.InitializeAsync(CancellationToken.None);
        await Store.InitializeAsync(CancellationToken.None);
    }

    public ValueTask DisposeAsync() => Databases.DisposeAsync();
}
