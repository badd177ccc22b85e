using MassTransit;
using Microsoft.Extensions.Logging;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
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
    /// Over RabbitMQ, a routed subscriber (<see cref="EventRouting.RequiredHeader"/>) binds its queue
    /// to the routing headers exchange for the batches carrying its header, instead of to the
    /// message exchange for all of them. The in-memory bus has no such routing; there the standalone
    /// host's dispatch asks each module what it wants. A queue routed by project
    /// (<see cref="EventRouting.RoutedByProject"/>) is bound by its service at run time.
    /// </summary>
    public static void ConsumeRoutedEvents(this IReceiveEndpointConfigurator endpoint, string queue)
    {
        if (endpoint is not IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            return;
        }

        if (EventRouting.RoutedByProject(queue))
        {
            rabbit.ConfigureConsumeTopology = false;
            return;
        }

        if (EventRouting.RequiredHeader(queue) is not { } header)
        {
            return;
        }

        rabbit.ConfigureConsumeTopology = false;
        rabbit.Bind(EventRouting.Exchange, binding =>
        {
            binding.ExchangeType = "headers";
            binding.SetBindingArgument("x-match", "all");
            binding.SetBindingArgument(header, EventRouting.Yes);
        });
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
