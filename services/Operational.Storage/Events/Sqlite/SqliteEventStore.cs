using Microsoft.Data.Sqlite;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Storage;

namespace Operational.Storage.Events.Sqlite;

/// <summary>
/// Events in one SQLite file. Writes are serialized in-process (SQLite has one writer
/// anyway; queueing here is cheaper than spinning on the file lock) and each batch is one
/// transaction. Reads run concurrently thanks to WAL.
/// </summary>
public sealed class SqliteEventStore(SqliteDatabase database) : IEventStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            project_id TEXT NOT NULL,
            id TEXT NOT NULL,
            ts INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            name TEXT NOT NULL,
            avatar TEXT,
            category TEXT,
            content TEXT
        );
        CREATE UNIQUE INDEX ux_events_project_id ON events (project_id, id);
        CREATE INDEX ix_events_project_time ON events (project_id, ts DESC, id DESC);
        """,
    ];

    private const string Columns = "id, project_id, name, avatar, category, content, ts, received_at";

    private readonly SemaphoreSlim _writer = new(1, 1);

    public SqliteDatabase Database => database;

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public async Task<int> AppendAsync(IReadOnlyList<IngestedEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return 0;
        }

        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO events ({Columns})
                VALUES ($id, $project, $name, $avatar, $category, $content, $ts, $received)
                ON CONFLICT (project_id, id) DO NOTHING
                """;
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var project = insert.Parameters.Add("$project", SqliteType.Text);
            var name = insert.Parameters.Add("$name", SqliteType.Text);
            var avatar = insert.Parameters.Add("$avatar", SqliteType.Text);
            var category = insert.Parameters.Add("$category", SqliteType.Text);
            var content = insert.Parameters.Add("$content", SqliteType.Text);
            var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
            var received = insert.Parameters.Add("$received", SqliteType.Integer);
            insert.Prepare();

            var added = 0;
            foreach (var e in events)
            {
                id.Value = e.Id;
                project.Value = e.ProjectId;
                name.Value = e.Name;
                avatar.Value = (object?)e.Avatar ?? DBNull.Value;
                category.Value = (object?)e.Category ?? DBNull.Value;
                content.Value = e.Content is { } json ? json.GetRawText() : DBNull.Value;
                ts.Value = e.Timestamp.ToUnixTimeMilliseconds();
                received.Value = e.ReceivedAt.ToUnixTimeMilliseconds();
                added += await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return added;
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<StoredEvent?> GetAsync(string projectId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM events WHERE project_id = $project AND id = $id";
        command.Parameters.AddWithValue("$project", projectId);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<EventPage> ListAsync(string projectId, EventQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var after = query.After is null ? "" : "AND (ts, id) < ($afterTs, $afterId)";
        command.CommandText = $"""
            SELECT {Columns} FROM events
            WHERE project_id = $project {after}
            ORDER BY ts DESC, id DESC
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$project", projectId);
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        if (query.After is { } cursor)
        {
            command.Parameters.AddWithValue("$afterTs", cursor.TimestampMs);
            command.Parameters.AddWithValue("$afterId", cursor.Id);
        }

        var events = new List<StoredEvent>(Math.Min(query.Limit + 1, 64));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }

        return EventPage.FromOverfetched(events, query.Limit);
    }

    private static StoredEvent Read(SqliteDataReader reader) => new(
        Id: reader.GetString(0),
        ProjectId: reader.GetString(1),
        Name: reader.GetString(2),
        Avatar: reader.IsDBNull(3) ? null : reader.GetString(3),
        Category: reader.IsDBNull(4) ? null : reader.GetString(4),
        Content: reader.IsDBNull(5) ? null : StoredEvent.ParseContent(reader.GetString(5)),
        Timestamp: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        ReceivedAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)));
}
