using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Driver;

namespace Operational.ServiceDefaults.Storage;

/// <summary>The store a service owns: prepared before the service takes traffic, pinged by its readiness check.</summary>
public interface IServiceStore : IStoragePing
{
    /// <summary>Creates tables or collections and indexes; safe to call on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);
}

public static class ServiceStoreRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TStore"/> made for the configured <c>Storage:Provider</c>: over the
    /// SQLite file <c>{sqliteFile}.db</c> in <c>Storage:Sqlite:DataDirectory</c>, or over the MongoDB
    /// database of <paramref name="mongoDatabase"/>; prepares it before any hosted service starts and adds
    /// the readiness check <c>{checkName ?? sqliteFile}-storage</c> (see <see cref="AddServiceStore{TStore}(IServiceCollection, string)"/>).
    /// </summary>
    public static IServiceCollection AddServiceStore<TStore>(
        this IServiceCollection services,
        string mongoDatabase,
        string sqliteFile,
        Func<SqliteDatabase, IServiceProvider, TStore> sqlite,
        Func<IMongoDatabase, IServiceProvider, TStore> mongo,
        string? checkName = null)
        where TStore : class, IServiceStore
    {
        services.TryAddSingleton<MongoClientProvider>();
        services.AddSingleton(provider =>
        {
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage.Provider switch
            {
                StorageProvider.Sqlite => sqlite(SqliteDatabase.InDataDirectory(storage, sqliteFile), provider),
                StorageProvider.MongoDb => mongo(provider.GetRequiredService<MongoClientProvider>().GetDatabase(mongoDatabase), provider),
                _ => throw new InvalidOperationException($"Unsupported storage provider {storage.Provider}."),
            };
        });
        return services.AddServiceStore<TStore>(checkName ?? sqliteFile);
    }

    /// <summary>
    /// Prepares <typeparamref name="TStore"/> before any hosted service of the process starts (so no
    /// background worker or bus consumer ever meets a missing table) and adds the readiness check
    /// <c>{name}-storage</c>. A store that cannot be prepared (unwritable folder, unreachable
    /// database) stops the start with the reason.
    /// </summary>
    public static IServiceCollection AddServiceStore<TStore>(this IServiceCollection services, string name)
        where TStore : class, IServiceStore
    {
        services.AddSingleton<StorePreparation<TStore>>();
        services.AddSingleton<IStorePreparation>(provider => provider.GetRequiredService<StorePreparation<TStore>>());
        services.AddHostedService<StoreInitializer<TStore>>();
        services.AddHealthChecks().AddStorageCheck<TStore>(name);
        return services;
    }

    /// <summary>
    /// Prepares every store of the process now, before its host starts anything: a process started
    /// by <see cref="Hosting.ServiceProgram"/> does this first, so a store that cannot be prepared
    /// (a read-only folder, an unreachable database) ends the start with one line, not a host that
    /// half started.
    /// </summary>
    public static async Task PrepareStoresAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        foreach (var store in services.GetServices<IStorePreparation>())
        {
            await store.PrepareAsync(cancellationToken);
        }
    }

    /// <summary>A store's preparation, run once however many times it is asked for.</summary>
    internal interface IStorePreparation
    {
        Task PrepareAsync(CancellationToken cancellationToken);
    }

    private sealed class StorePreparation<TStore>(TStore store, ILogger<StorePreparation<TStore>> logger) : IStorePreparation
        where TStore : class, IServiceStore
    {
        private readonly Lock _lock = new();
        private Task? _prepared;

        public Task PrepareAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                // A failed preparation is tried again by the next caller rather than remembered.
                if (_prepared is null || _prepared.IsFaulted || _prepared.IsCanceled)
                {
                    _prepared = PrepareOnceAsync(cancellationToken);
                }

                return _prepared;
            }
        }

        private async Task PrepareOnceAsync(CancellationToken cancellationToken)
        {
            await store.InitializeAsync(cancellationToken);
            logger.LogInformation("Store ready ({Store})", store.GetType().Name);
        }
    }

    /// <summary>
    /// Runs in <see cref="IHostedLifecycleService.StartingAsync"/>, which the host calls for every
    /// hosted service before it calls any <see cref="IHostedService.StartAsync"/>: whatever order
    /// the modules registered their workers in, their stores are ready first (already, when the
    /// process was started by <see cref="Hosting.ServiceProgram"/>).
    /// </summary>
    private sealed class StoreInitializer<TStore>(StorePreparation<TStore> preparation) : IHostedLifecycleService
        where TStore : class, IServiceStore
    {
        public Task StartingAsync(CancellationToken cancellationToken) => preparation.PrepareAsync(cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
