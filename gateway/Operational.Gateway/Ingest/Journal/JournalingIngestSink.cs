using System.Text.Json;
using Operational.Contracts.Events;

namespace Operational.Gateway.Ingest.Journal;

/// <summary>Standalone: the batch is durable once journaled; then it is handed to the modules of the process.</summary>
internal sealed class JournalingIngestSink(IngestJournal journal, JournalCompletion completion, InProcessDispatch dispatch) : IIngestSink
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

        await dispatch.DispatchAsync(batch, cancellationToken);
    }
}

internal static class JournalJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
