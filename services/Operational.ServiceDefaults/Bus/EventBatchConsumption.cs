using MassTransit;
using Microsoft.Extensions.Logging;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Bus.DeadLetters;

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
        this IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, int messageLimit, IServiceProvider services)
        where TConsumer : class
    {
        endpoint.PrefetchCount = messageLimit * 2;
        endpoint.UseOperationalConsumeResilience(services);
        consumer.Options<BatchOptions>(batch => batch
            .SetMessageLimit(messageLimit)
            .SetTimeLimit(TimeSpan.FromMilliseconds(5))
            .SetConcurrencyLimit(1));
    }

    /// <summary>
    /// A MassTransit batch handed to <paramref name="handler"/> with <see cref="PoisonIsolation"/>:
    /// a message that fails alone goes to the dead letters, the rest are handled.
    /// </summary>
    public static Task HandleIsolatingPoisonAsync(
        this ConsumeContext<Batch<EventsIngested>> context, IIngestedEventsHandler handler, IDeadLetters deadLetters, ILogger logger) =>
        PoisonIsolation.HandleAsync(
            context.Message.ToList(),
            messages => handler.HandleAsync(messages.Select(m => m.Message).ToList(), context.CancellationToken),
            (message, reason) => deadLetters.MoveAsync(message, reason, context.CancellationToken),
            logger,
            context.CancellationToken);
}
