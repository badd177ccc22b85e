using System.Text.Json;
using MassTransit;
using Operational.Contracts.Events;

namespace Operational.Gateway.Ingest.Journal;

/// <summary>In-memory bus: the batch is durable once journaled; then it is handed to the in-process subscribers.</summary>
internal sealed class JournalingIngestSink(IBus bus, IngestJournal journal) : IIngestSink
{
    public async Task WriteAsync(EventsIngested batch, CancellationToken cancellationToken)
    {
        await journal.AppendAsync(batch.BatchId, batch.AcceptedAt, JsonSerializer.SerializeToUtf8Bytes(batch, JournalJson.Options), cancellationToken);
        await bus.Publish(batch, cancellationToken);
    }
}

internal static class JournalJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
