using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
    /// Prepares <typeparamref name="TStore"/> at start and adds the readiness check
    /// <c>{service}-storage</c>. A store that cannot be prepared (unwritable folder, unreachable
    /// database) stops the start with the reason.
    /// </summary>
    public static IServiceCollection AddServiceStore<TStore>(this IServiceCollection services, string service)
        where TStore : class, IServiceStore
    {
        services.AddHostedService<StoreInitializer<TStore>>();
        services.AddHealthChecks().AddStorageCheck<TStore>(service);
        return services;
    }

    private sealed class StoreInitializer<TStore>(TStore store, ILogger<StoreInitializer<TStore>> logger) : IHostedService
        where TStore : class, IServiceStore
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.InitializeAsync(cancellationToken);
            logger.LogInformation("Store ready ({Store})", store.GetType().Name);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
