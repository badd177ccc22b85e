using System.Text.Json;
using MassTransit;
using Operational.Contracts.Events;

namespace Operational.Gateway.Ingest.Journal;

/// <summary>In-memory bus: the batch is durable once journaled; then it is handed to the in-process subscribers.</summary>
internal sealed class JournalingIngestSink(IBus bus, IngestJournal journal, JournalCompletion completion) : IIngestSink
{
    public async Task WriteAsync(EventsIngested batch, CancellationToken cancellationToken)
    {
        // In flight before it is journaled, so the journal's sweep never takes it for forgotten.
        completion.Publishing(batch.BatchId);
        try
        {
            await journal.AppendAsync(batch.BatchId, batch.AcceptedAt, JsonSerializer.SerializeToUtf8Bytes(batch, JournalJson.Options), cancellationToken);
        }
        catch
        {
            completion.Abandoned(batch.BatchId);
            throw;
        }

        await bus.Publish(batch, cancellationToken);
    }
}

internal static class JournalJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
