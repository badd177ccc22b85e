using Operational.ServiceDefaults.Storage;

namespace Operational.IntegrationTests;

/// <summary>
/// The base of every store's contract suite: each test gets a fresh, initialized store (initialized
/// twice, as every start calls it). Each provider's test class says how to make one; a second
/// call must give another store over the same database, as a replica has.
/// </summary>
public abstract class StoreContract<TStore> : IAsyncLifetime
    where TStore : IServiceStore
{
    protected TStore Store { get; private set; } = default!;

    protected abstract Task<TStore> CreateStoreAsync();

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.InitializeAsync(CancellationToken.None);
        await Store.InitializeAsync(CancellationToken.None);
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
