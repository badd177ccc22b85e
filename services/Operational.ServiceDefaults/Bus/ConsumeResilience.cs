using MassTransit;

namespace Operational.ServiceDefaults.Bus;

public static class ConsumeResilience
{
    /// <summary>
    /// The failure policy of every Operational consumer. A message is retried in memory with
    /// backoff (Debian's RabbitMQ has no delayed-message plugin, so no delayed redelivery);
    /// if it still fails it goes to the endpoint's <c>_error</c> queue, never silently away.
    /// When most messages fail at once the dependency is down rather than the messages bad:
    /// the kill switch then stops the endpoint for a while, leaving messages in the queue
    /// instead of draining them into <c>_error</c>.
    /// </summary>
    public static void UseOperationalConsumeResilience(this IReceiveEndpointConfigurator endpoint)
    {
        endpoint.UseKillSwitch(killSwitch => killSwitch
            .SetActivationThreshold(10)
            .SetTripThreshold(0.5)
            .SetTrackingPeriod(TimeSpan.FromMinutes(1))
            .SetRestartTimeout(TimeSpan.FromSeconds(30)));
        endpoint.UseMessageRetry(retry => retry.Exponential(
            retryLimit: 5,
            minInterval: TimeSpan.FromMilliseconds(200),
            maxInterval: TimeSpan.FromSeconds(10),
            intervalDelta: TimeSpan.FromMilliseconds(500)));
    }
}
