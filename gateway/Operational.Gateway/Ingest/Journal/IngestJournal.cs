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

    public async Task AppendAsync(Guid batchId, DateTimeOffset acceptedAt, byte[] payload, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO pending_batches (batch_id, accepted_at, payload) VALUES ($id, $at, $payload)";
        command.Parameters.AddWithValue("$id", batchId.ToString());
        command.Parameters.AddWithValue("$at", acceptedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$payload", payload);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RemoveAsync(Guid batchId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM pending_batches WHERE batch_id = $id";
        command.Parameters.AddWithValue("$id", batchId.ToString());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Every batch still pending, oldest first.</summary>
    public async Task<IReadOnlyList<(Guid BatchId, byte[] Payload)>> PendingAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT batch_id, payload FROM pending_batches ORDER BY accepted_at, batch_id",
            reader => (Guid.Parse(reader.GetString(0)), (byte[])reader.GetValue(1)), cancellationToken);

    public async Task<long> CountAsync(CancellationToken cancellationToken) =>
        (long)(await database.ScalarAsync("SELECT COUNT(*) FROM pending_batches", cancellationToken))!;
}
