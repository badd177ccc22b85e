using Microsoft.Extensions.DependencyInjection;
using Operational.Storage.Events;
using Operational.Storage.Insights;
using Operational.Storage.Metrics;
using Operational.Storage.Users;

namespace Operational.ApiTests;

/// <summary>
/// Wraps the host's event store for a test (to count or fail its calls). A proxy implements only
/// <see cref="IEventStore"/>, while the same store also keeps users, insights and metric rollups:
/// those keep pointing at the one real store underneath.
/// </summary>
public static class EventStoreDecoration
{
    public static void Decorate(IServiceCollection services, Func<IEventStore, IEventStore> wrap)
    {
        var real = services.Single(d => d.ServiceType == typeof(IEventStore));
        services.Remove(real);
        const string Inner = "undecorated";
        services.AddKeyedSingleton(Inner, (provider, _) => (IEventStore)real.ImplementationFactory!(provider));
        services.AddSingleton(provider => wrap(provider.GetRequiredKeyedService<IEventStore>(Inner)));
        services.AddSingleton(provider => (IUserStore)provider.GetRequiredKeyedService<IEventStore>(Inner));
        services.AddSingleton(provider => (IInsightStore)provider.GetRequiredKeyedService<IEventStore>(Inner));
        services.AddSingleton(provider => (IMetricStore)provider.GetRequiredKeyedService<IEventStore>(Inner));
    }
}
