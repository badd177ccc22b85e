using MassTransit;

namespace Operational.ServiceDefaults.Bus;

public static class EventBatchConsumption
{
    /// <summary>
    /// How a service consumes the ingested events when it writes them to its store: up to
    /// <paramref name="messageLimit"/> bus messages per call, waiting at most 5 ms for more
    /// (a lone event is handled after that), one call at a time per process (one writer keeps
    /// batches large; SQLite has one write lock anyway; replicas add writers), with enough
    /// prefetched to fill the next batch while one is being written.
    /// </summary>
    public static void ConsumeInBatches<TConsumer>(
        this IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, int messageLimit)
        where TConsumer : class
    {
        endpoint.PrefetchCount = messageLimit * 2;
        endpoint.UseOperationalConsumeResilience();
        consumer.Options<BatchOptions>(batch => batch
            .SetMessageLimit(messageLimit)
            .SetTimeLimit(TimeSpan.FromMilliseconds(5))
            .SetConcurrencyLimit(1));
    }
}
