using System.Text.Json;
using Operational.ServiceDefaults.Storage;

namespace Operational.Notifications.Channels.Sqlite;

/// <summary>Channels in the notifications service's SQLite file, each definition one JSON document.</summary>
public sealed class SqliteChannelStore(SqliteDatabase database) : IChannelStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE channels (
            project_id TEXT NOT NULL,
            id TEXT NOT NULL,
            definition TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, id)
        ) WITHOUT ROWID;
        """,
    ];

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public async Task<Channel?> GetAsync(string projectId, string channelId, CancellationToken cancellationToken) =>
        (await ReadAsync("WHERE project_id = $project AND id = $id", cancellationToken, ("$project", projectId), ("$id", channelId))).SingleOrDefault();

    public Task<IReadOnlyList<Channel>> ListAsync(string projectId, CancellationToken cancellationToken) =>
        ReadAsync("WHERE project_id = $project ORDER BY created_at, id", cancellationToken, ("$project", projectId));

    public Task SaveAsync(Channel channel, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var save = connection.Command(transaction, """
                INSERT INTO channels (project_id, id, definition, created_at, updated_at) VALUES ($project, $id, $definition, $created, $updated)
                ON CONFLICT (project_id, id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
                """);
            save.Set(("$project", channel.ProjectId), ("$id", channel.Id), ("$definition", ChannelJson.Write(channel.Definition)),
                ("$created", channel.CreatedAt.ToUnixTimeMilliseconds()), ("$updated", channel.UpdatedAt.ToUnixTimeMilliseconds()));
            await save.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<bool> DeleteAsync(string projectId, string channelId, CancellationToken cancellationToken)
    {
        var deleted = false;
        await database.WriteAsync(async (connection, transaction) =>
        {
            using var delete = connection.Command(transaction, "DELETE FROM channels WHERE project_id = $project AND id = $id");
            delete.Set(("$project", projectId), ("$id", channelId));
            deleted = await delete.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
        return deleted;
    }

    private async Task<IReadOnlyList<Channel>> ReadAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, $"SELECT id, project_id, definition, created_at, updated_at FROM channels {where}");
        select.Set(parameters);
        var channels = new List<Channel>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            channels.Add(new Channel(reader.GetString(0), reader.GetString(1), ChannelJson.Read(reader.GetString(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return channels;
    }
}

/// <summary>How both stores keep a definition: one JSON document.</summary>
internal static class ChannelJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(ChannelDefinition definition) => JsonSerializer.Serialize(definition, Options);

    public static ChannelDefinition Read(string json) =>
        JsonSerializer.Deserialize<ChannelDefinition>(json, Options) ?? throw new InvalidDataException("A stored channel is empty.");
}
