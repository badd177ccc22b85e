using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Operational.Gateway.Ingest;

/// <summary>
/// Not ready while events would be refused: the broker is unreachable (RabbitMQ, probed without
/// traffic), recent publishes failed and the break is not over, or the gateway is stopping.
/// </summary>
internal sealed class IngestHealthCheck(IngestPublisher publisher, BrokerProbe broker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            broker.Problem is { } problem ? HealthCheckResult.Unhealthy(problem)
            : publisher.IsAccepting ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("Recent publishes to the bus failed; events are refused with 503 until a probe succeeds."));
}
