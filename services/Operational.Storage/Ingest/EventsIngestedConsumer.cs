using System.Diagnostics.Metrics;
using MassTransit;
using Operational.ServiceDefaults.Bus;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Telemetry;
using Operational.Storage.Events;
using Operational.Storage.LiveFeed;

namespace Operational.Storage.Ingest;

/// <summary>Persists each ingested batch in one write; duplicates from redelivery are skipped.</summary>
public sealed class EventsIngestedConsumer(IEventStore store, StoredSignal stored, ILogger<EventsIngestedConsumer> logger) : IConsumer<EventsIngested>
{
    private static readonly Meter Meter = new(TelemetryExtensions.SourceName);
    private static readonly Counter<long> Stored = Meter.CreateCounter<long>("operational.storage.events.stored", description: "Events written for the first time.");
    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("operational.storage.events.duplicates", description: "Events skipped because their id was already stored.");

    public async Task Consume(ConsumeContext<EventsIngested> context)
    {
        var batch = context.Message;
        var added = await store.AppendAsync(batch.Events, context.CancellationToken);
        Stored.Add(added);
        if (added > 0)
        {
            stored.Notify();
        }

        var duplicates = batch.Events.Count - added;
        if (duplicates > 0)
        {
            Duplicates.Add(duplicates);
            logger.LogDebug("Batch {BatchId}: {Duplicates} of {Count} events were already stored", batch.BatchId, duplicates, batch.Events.Count);
        }
    }
}

public sealed class EventsIngestedConsumerDefinition : ConsumerDefinition<EventsIngestedConsumer>
{
    public EventsIngestedConsumerDefinition()
    {
        EndpointName = Contracts.Topology.EventSubscriberQueues.Storage;
        // Each message is already a batch; a few in flight keep the disk busy without
        // piling up writers on SQLite's single write lock.
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<EventsIngestedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseOperationalConsumeResilience();
    }
}
