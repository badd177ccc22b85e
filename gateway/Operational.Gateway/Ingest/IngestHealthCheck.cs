using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Operational.Gateway.Ingest;

/// <summary>Not ready while publishes are failing (or the gateway is stopping): events would get 503 here.</summary>
internal sealed class IngestHealthCheck(IngestPublisher publisher) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(publisher.IsAccepting
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("Recent publishes to the bus failed; events are refused with 503 until a probe succeeds."));
}
