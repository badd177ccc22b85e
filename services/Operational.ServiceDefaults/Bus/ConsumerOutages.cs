using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Operational.ServiceDefaults.Telemetry;

namespace Operational.ServiceDefaults.Bus;

/// <summary>
/// Which of this process's consumers cannot do their work because a dependency is failing (see
/// <see cref="DependencyFailures"/>), since when and why. While one is, the process is not ready,
/// the gauge <c>operational.consumer.outage</c> is 1 for its queue, and a warning is logged when it
/// starts, every minute while it lasts, and when it ends: an operator sees it without reading the
/// queues. Its messages stay in the queue (or in retry) meanwhile; nothing is dead-lettered.
/// </summary>
public sealed class ConsumerOutages : IHealthCheck
{
    private static readonly Meter Meter = new(TelemetryExtensions.SourceName);
    private static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "operational.consumer.outage.retries", "{attempt}", "Consume attempts retried because a dependency failed.");

    private static readonly TimeSpan RemindEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Outage> _outages = new(StringComparer.Ordinal);
    private readonly ILogger<ConsumerOutages> _logger;
    private readonly TimeProvider _clock;

    public ConsumerOutages(ILogger<ConsumerOutages> logger, TimeProvider clock)
    {
        _logger = logger;
        _clock = clock;
        Meter.CreateObservableGauge("operational.consumer.outage",
            () => _outages.Keys.Select(queue => new Measurement<int>(1, new KeyValuePair<string, object?>("queue", queue))),
            description: "1 for each queue whose consumer is waiting for a failing dependency.");
    }

    private sealed record Outage(DateTimeOffset Since, string Reason, DateTimeOffset LoggedAt, long Attempts);

    /// <summary>The queues whose consumers are waiting for a dependency, with since when and why.</summary>
    public IReadOnlyDictionary<string, (DateTimeOffset Since, string Reason)> Current =>
        _outages.ToDictionary(o => o.Key, o => (o.Value.Since, o.Value.Reason));

    /// <summary>A consume attempt on <paramref name="queue"/> failed for a dependency's reason and will be retried after <paramref name="delay"/>.</summary>
    public void Failed(string queue, Exception exception, TimeSpan delay)
    {
        Retries.Add(1, new KeyValuePair<string, object?>("queue", queue));
        var now = _clock.GetUtcNow();
        var reason = exception.Message.ReplaceLineEndings(" ");
        var outage = _outages.AddOrUpdate(queue,
            _ => new Outage(now, reason, now, 1),
            (_, current) => current with { Reason = reason, Attempts = current.Attempts + 1 });
        if (outage.Attempts == 1)
        {
            _logger.LogWarning("Consumer of {Queue} cannot work: {Reason}. Its messages stay queued and are retried (next in {Delay:0.#} s) until this is fixed; the process reports itself not ready meanwhile",
                queue, reason, delay.TotalSeconds);
        }
        else if (now - outage.LoggedAt >= RemindEvery && _outages.TryUpdate(queue, outage with { LoggedAt = now }, outage))
        {
            _logger.LogWarning("Consumer of {Queue} still cannot work after {Minutes:0} min and {Attempts} attempts: {Reason}",
                queue, (now - outage.Since).TotalMinutes, outage.Attempts, reason);
        }
    }

    /// <summary>A message of <paramref name="queue"/> was consumed after failing: whatever was failing works again.</summary>
    public void Recovered(string queue)
    {
        if (_outages.TryRemove(queue, out var outage))
        {
            _logger.LogInformation("Consumer of {Queue} works again after {Seconds:0.#} s and {Attempts} failed attempts",
                queue, (_clock.GetUtcNow() - outage.Since).TotalSeconds, outage.Attempts);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_outages.IsEmpty)
        {
            return Task.FromResult(HealthCheckResult.Healthy());
        }

        var now = _clock.GetUtcNow();
        var description = string.Join("; ", _outages.OrderBy(o => o.Key, StringComparer.Ordinal)
            .Select(o => $"{o.Key} waiting {(now - o.Value.Since).TotalSeconds:0} s: {o.Value.Reason}"));
        return Task.FromResult(HealthCheckResult.Unhealthy(description));
    }

    /// <summary>Reports the outer retry filter's attempts of one queue to the outages.</summary>
    internal sealed class Observer(ConsumerOutages outages, string queue) : IRetryObserver
    {
        public Task PostCreate<T>(RetryPolicyContext<T> context) where T : class, PipeContext => Task.CompletedTask;

        public Task PostFault<T>(RetryContext<T> context) where T : class, PipeContext
        {
            outages.Failed(queue, context.Exception, context.Delay ?? TimeSpan.Zero);
            return Task.CompletedTask;
        }

        public Task PreRetry<T>(RetryContext<T> context) where T : class, PipeContext => Task.CompletedTask;

        public Task RetryFault<T>(RetryContext<T> context) where T : class, PipeContext => Task.CompletedTask;

        public Task RetryComplete<T>(RetryContext<T> context) where T : class, PipeContext
        {
            outages.Recovered(queue);
            return Task.CompletedTask;
        }
    }
}
