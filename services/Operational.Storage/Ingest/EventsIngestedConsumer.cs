using System.Diagnostics.Metrics;
using MassTransit;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using Operational.ServiceDefaults.Bus;
using Operational.ServiceDefaults.Bus.DeadLetters;
using Operational.ServiceDefaults.Telemetry;
using Operational.Storage.Events;
using Operational.Storage.LiveFeed;

namespace Operational.Storage.Ingest;

/// <summary>
/// Persists the ingested batches that arrived together in one write: one transaction (SQLite)
/// or one InsertMany (MongoDB) for up to <see cref="EventsIngestedConsumerDefinition.MessageLimit"/>
/// bus messages. A commit with full sync costs milliseconds whatever its size, so writing many
/// messages at once is what lets storage keep up with the gateway. Duplicates from redelivery
/// are skipped by the store.
/// </summary>
public sealed class StorageEventsHandler(IEventStore store, StoredSignal stored, ILogger<StorageEventsHandler> logger) : IIngestedEventsHandler
{
    private static readonly Meter Meter = new(TelemetryExtensions.SourceName);
    private static readonly Counter<long> Stored = Meter.CreateCounter<long>("operational.storage.events.stored", description: "Events written for the first time.");
    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("operational.storage.events.duplicates", description: "Events skipped because their id was already stored.");
    private static readonly Histogram<int> WriteSize = Meter.CreateHistogram<int>("operational.storage.write.size", "{event}", "Events per store write.");

    public string Queue => EventSubscriberQueues.Storage;

    public bool Wants(IngestedEvent e) => true;

    public async Task HandleAsync(IReadOnlyList<EventsIngested> messages, CancellationToken cancellationToken)
    {
        var events = new List<IngestedEvent>();
        foreach (var message in messages)
        {
            events.AddRange(message.Events);
        }

        var added = await store.AppendAsync(events, cancellationToken);
        WriteSize.Record(events.Count);
        Stored.Add(added);
        if (added > 0)
        {
            stored.Notify();
        }

        var duplicates = events.Count - added;
        if (duplicates > 0)
        {
            Duplicates.Add(duplicates);
            logger.LogDebug("{Duplicates} of {Count} events in {Messages} messages were already stored", duplicates, events.Count, messages.Count);
        }
    }
}

/// <summary>The ingested batches from RabbitMQ (or a replay), as many as arrived together, to <see cref="StorageEventsHandler"/>.</summary>
public sealed class EventsIngestedConsumer(StorageEventsHandler handler, IDeadLetters deadLetters, ILogger<EventsIngestedConsumer> logger)
    : IConsumer<Batch<EventsIngested>>
{
    public Task Consume(ConsumeContext<Batch<EventsIngested>> context) => context.HandleIsolatingPoisonAsync(handler, deadLetters, logger);
}

public sealed class EventsIngestedConsumerDefinition : ConsumerDefinition<EventsIngestedConsumer>
{
    /// <summary>Bus messages written together at most (each holds up to Ingest:MaxBatchEvents events).</summary>
    public const int MessageLimit = 64;

    public EventsIngestedConsumerDefinition()
    {
        EndpointName = EventSubscriberQueues.Storage;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<EventsIngestedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.ConsumeInBatches(consumerConfigurator, MessageLimit, context);
}
