using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Operational.ServiceDefaults.Bus;

public static class ConsumeResilience
{
    /// <summary>The first wait before a message is tried again while its dependency fails.</summary>
    public static readonly TimeSpan OutageFirstDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between attempts while a dependency fails.</summary>
    public static readonly TimeSpan OutageMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The failure policy of every Operational consumer, two retry filters deep:
    /// <list type="bullet">
    /// <item>A failure of what the consumer depends on (<see cref="DependencyFailures"/>: a full disk,
    /// a locked or unreachable database) is retried in memory for as long as it lasts, with
    /// backoff capped at 30 s, while <see cref="ConsumerOutages"/> reports it. The message is never
    /// dead-lettered for it: it did nothing wrong, and in <c>_error</c> nobody would see its events.</item>
    /// <item>Any other failure is the message's own or a bug: 5 attempts with backoff, then the
    /// endpoint's <c>_error</c> queue (replayable, see docs/operations.md), never silently away.</item>
    /// </list>
    /// (Debian's RabbitMQ has no delayed-message plugin, so there is no delayed redelivery.) When
    /// most messages fail at once for a reason not recognised as a dependency's, the kill switch
    /// stops the endpoint for a while, leaving messages in the queue instead of draining them into
    /// <c>_error</c>.
    /// </summary>
    public static void UseOperationalConsumeResilience(this IReceiveEndpointConfigurator endpoint, IServiceProvider services)
    {
        var queue = endpoint.InputAddress.AbsolutePath.Trim('/');
        var outages = services.GetRequiredService<ConsumerOutages>();
        endpoint.UseKillSwitch(killSwitch => killSwitch
            .SetActivationThreshold(10)
            .SetTripThreshold(0.5)
            .SetTrackingPeriod(TimeSpan.FromMinutes(1))
            .SetRestartTimeout(TimeSpan.FromSeconds(30)));
        endpoint.UseMessageRetry(retry =>
        {
            retry.Handle<Exception>(DependencyFailures.IsOutage);
            retry.Exponential(
                retryLimit: int.MaxValue,
                minInterval: OutageFirstDelay,
                maxInterval: OutageMaxDelay,
                intervalDelta: TimeSpan.FromSeconds(1));
            retry.ConnectRetryObserver(new ConsumerOutages.Observer(outages, queue));
        });
        endpoint.UseMessageRetry(retry =>
        {
            retry.Ignore<Exception>(DependencyFailures.IsOutage);
            retry.Exponential(
                retryLimit: 5,
                minInterval: TimeSpan.FromMilliseconds(200),
                maxInterval: TimeSpan.FromSeconds(10),
                intervalDelta: TimeSpan.FromMilliseconds(500));
        });
    }
}
