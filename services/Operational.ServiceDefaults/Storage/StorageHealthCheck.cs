using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Operational.ServiceDefaults.Health;

namespace Operational.ServiceDefaults.Storage;

/// <summary>Something a service can ping to prove its own storage answers.</summary>
public interface IStoragePing
{
    Task PingAsync(CancellationToken cancellationToken);
}

public static class StorageHealthCheckExtensions
{
    /// <summary>Adds a readiness check named <c>{service}-storage</c> that pings <typeparamref name="TStore"/>.</summary>
    public static IHealthChecksBuilder AddStorageCheck<TStore>(this IHealthChecksBuilder builder, string service)
        where TStore : class, IStoragePing =>
        builder.Add(new HealthCheckRegistration(
            $"{service}-storage",
            provider => new StorageHealthCheck(provider.GetRequiredService<TStore>()),
            HealthStatus.Unhealthy,
            [HealthEndpoints.ReadyTag],
            TimeSpan.FromSeconds(5)));

    private sealed class StorageHealthCheck(IStoragePing store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.PingAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy(e.Message, e);
            }
        }
    }
}
