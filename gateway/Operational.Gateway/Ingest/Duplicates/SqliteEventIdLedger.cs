using System.Globalization;
using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Ingest.Duplicates;

public sealed class SqliteEventIdLedger(SqliteDatabase database) : IEventIdLedger
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE accepted_ids (
            project_id TEXT NOT NULL,
            id TEXT NOT NULL,
            accepted_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_accepted_ids_time ON accepted_ids (accepted_at);
        """,
    ];

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public async Task<IReadOnlySet<string>> FindAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        // json_each keeps it one statement with one parameter, whatever the number of ids.
        var found = await database.QueryAsync("SELECT id FROM accepted_ids WHERE project_id = $project AND id IN (SELECT value FROM json_each($ids))",
            reader => reader.GetString(0), cancellationToken, ("$project", projectId), ("$ids", System.Text.Json.JsonSerializer.Serialize(ids)));
        return found.ToHashSet(StringComparer.Ordinal);
    }

    public async Task RecordAsync(string projectId, IReadOnlyCollection<string> ids, DateTimeOffset acceptedAt, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR IGNORE INTO accepted_ids (project_id, id, accepted_at)
            SELECT $project, value, $at FROM json_each($ids)
            """;
        command.Parameters.AddWithValue("$project", projectId);
        command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(ids));
        command.Parameters.AddWithValue("$at", acceptedAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, int max, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = string.Create(CultureInfo.InvariantCulture, $"""
            DELETE FROM accepted_ids
            WHERE (project_id, id) IN (SELECT project_id, id FROM accepted_ids WHERE accepted_at < $before LIMIT {max})
            """);
        command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
