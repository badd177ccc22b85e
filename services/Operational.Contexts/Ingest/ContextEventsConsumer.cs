using MassTransit;
using Operational.Contexts.Announcements;
using Operational.Contexts.Tracking;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Bus.DeadLetters;

namespace Operational.Contexts.Ingest;

/// <summary>
/// Adds the events that carry a context id to their contexts, for all the bus messages that
/// arrived together in one store write. Order does not matter and duplicates are ignored by
/// the store, so competing replicas and redeliveries need no coordination.
/// </summary>
public sealed class ContextEventsHandler(IContextStore store, ContextsChanged changed, ILogger<ContextEventsHandler> logger) : IIngestedEventsHandler
{
    public string Queue => EventSubscriberQueues.Contexts;

    public bool Wants(IngestedEvent e) => EventRouting.ConcernsContexts(e);

    public async Task HandleAsync(IReadOnlyList<EventsIngested> messages, CancellationToken cancellationToken)
    {
        var entries = ContextEntryFor.FromEvents(messages.SelectMany(m => m.Events)).ToList();
        if (entries.Count == 0)
        {
            return;
        }

        // Wake the announcer only for what is due now: it claims in a write transaction, which
        // every consumed batch would otherwise pay for; stalls are found by its periodic check.
        if (await store.ApplyAsync(entries, cancellationToken))
        {
            changed.Notify();
        }

        logger.LogDebug("Applied {Entries} context entries from {Messages} messages", entries.Count, messages.Count);
    }
}

/// <summary>The ingested batches from RabbitMQ (or a replay), as many as arrived together, to <see cref="ContextEventsHandler"/>.</summary>
public sealed class ContextEventsConsumer(ContextEventsHandler handler, IDeadLetters deadLetters, ILogger<ContextEventsConsumer> logger)
    : IConsumer<Batch<EventsIngested>>
{
    public Task Consume(ConsumeContext<Batch<EventsIngested>> context) => context.HandleIsolatingPoisonAsync(handler, deadLetters, logger);
}

public sealed class ContextEventsConsumerDefinition : ConsumerDefinition<ContextEventsConsumer>
{
    public const int MessageLimit = 64;

    public ContextEventsConsumerDefinition() => EndpointName = EventSubscriberQueues.Contexts;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ContextEventsConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.ConsumeInBatches(consumerConfigurator, MessageLimit, context);
        endpointConfigurator.ConsumeRoutedEvents(EventSubscriberQueues.Contexts);
    }
}
