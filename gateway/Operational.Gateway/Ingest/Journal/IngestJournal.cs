using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Ingest.Journal;

/// <summary>
/// With the in-memory bus nothing outside the process holds an accepted batch, so the
/// gateway writes it here (fsync'ed) before answering 202, and removes it once every
/// in-process subscriber has consumed it. What is left at start was accepted but not fully
/// processed before a crash, and is published again; consumers are idempotent by event id.
/// </summary>
internal sealed class IngestJournal(SqliteDatabase database)
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE pending_batches (
            batch_id TEXT PRIMARY KEY,
            accepted_at INTEGER NOT NULL,
            payload BLOB NOT NULL
        );
        """,
    ];

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    /// <summary>
    /// Through the database's one writer (as every write of this file is): two connections writing
    /// the same file at once would make SQLite's busy handler sleep, up to 100 ms at a time, on the
    /// path every accepted event waits on.
    /// </summary>
    public Task AppendAsync(Guid batchId, DateTimeOffset acceptedAt, byte[] payload, CancellationToken cancellationToken) =>
        database.ExecuteAsync("INSERT OR IGNORE INTO pending_batches (batch_id, accepted_at, payload) VALUES ($id, $at, $payload)", cancellationToken,
            ("$id", batchId.ToString()), ("$at", acceptedAt.ToUnixTimeMilliseconds()), ("$payload", payload));

    /// <summary>Removes processed batches, many in one transaction: one commit for all of them.</summary>
    public Task RemoveAsync(IReadOnlyCollection<Guid> batchIds, CancellationToken cancellationToken) =>
        batchIds.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            using var delete = connection.Command(transaction, "DELETE FROM pending_batches WHERE batch_id = $id");
            foreach (var batchId in batchIds)
            {
                delete.Set(("$id", batchId.ToString()));
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    /// <summary>Every batch still pending, oldest first.</summary>
    public async Task<IReadOnlyList<(Guid BatchId, byte[] Payload)>> PendingAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT batch_id, payload FROM pending_batches ORDER BY accepted_at, batch_id",
            reader => (Guid.Parse(reader.GetString(0)), (byte[])reader.GetValue(1)), cancellationToken);

    public async Task<long> CountAsync(CancellationToken cancellationToken) =>
        (long)(await database.ScalarAsync("SELECT COUNT(*) FROM pending_batches", cancellationToken))!;
}
