using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Storage;
using Operational.ServiceDefaults.Validation;
using Operational.Storage.Users;

namespace Operational.Storage.Events.Sqlite;

/// <summary>Users and groups in the events' file: read-merge-write inside one write transaction, so merges never race.</summary>
public sealed partial class SqliteEventStore
{
    private const string UserColumns = "project_id, user_id, first_seen, last_seen, event_count, properties, groups, identified_at";

    public Task<UserRecord?> IdentifyAsync(string projectId, string userId, JsonElement properties, DateTimeOffset now, FieldErrors errors, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadUserAsync(connection, transaction, projectId, userId, cancellationToken);
            if (UserProperties.Merge(current?.Properties, properties, "properties", errors) is not { } merged)
            {
                return null;
            }

            await using var upsert = connection.Command(transaction, """
                INSERT INTO users (project_id, user_id, properties, identified_at) VALUES ($project, $user, $properties, $now)
                ON CONFLICT (project_id, user_id) DO UPDATE SET properties = excluded.properties, identified_at = excluded.identified_at
                """);
            upsert.Set(("$project", projectId), ("$user", userId), ("$properties", merged.ToJsonString()), ("$now", now.ToUnixTimeMilliseconds()));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
            return await ReadUserAsync(connection, transaction, projectId, userId, cancellationToken);
        }, cancellationToken);

    public Task<UserRecord?> GetUserAsync(string projectId, string userId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync($"SELECT {UserColumns} FROM users WHERE project_id = $project AND user_id = $user", ReadUser, cancellationToken,
            ("$project", projectId), ("$user", userId));

    /// <summary>
    /// Walks the project's users by last seen (the index's order) and stops at the page: a search by
    /// id part or property checks candidates one by one, so it reads as many users as it skips.
    /// </summary>
    public async Task<UserPage> ListUsersAsync(string projectId, UserQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {UserColumns} FROM users WHERE project_id = $project");
        var parameters = new List<(string, object?)> { ("$project", projectId), ("$limit", query.Limit + 1) };
        if (query.After is { } after)
        {
            sql.Append(" AND (COALESCE(last_seen, 0) < $seen OR (COALESCE(last_seen, 0) = $seen AND user_id > $after))");
            parameters.Add(("$seen", after.LastSeen));
            parameters.Add(("$after", after.UserId));
        }

        if (query.Search is { Length: > 0 } search)
        {
            sql.Append(" AND instr(lower(user_id), lower($search)) > 0");
            parameters.Add(("$search", search));
        }

        if (query.PropertyKey is { } key)
        {
            // The key is checked by the endpoint (letters, digits, - _ .); quoted for JSON paths with dots.
            // A string equal to the text, a number written as it, or a boolean by name (json_extract gives 1 for true).
            sql.Append(" AND (json_type(properties, $path) IN ('true', 'false') AND json_type(properties, $path) = $value"
                + " OR json_type(properties, $path) IN ('text', 'integer', 'real') AND CAST(json_extract(properties, $path) AS TEXT) = $value)");
            parameters.Add(("$path", $"$.\"{key}\""));
            parameters.Add(("$value", query.PropertyValue));
        }

        sql.Append(" ORDER BY COALESCE(last_seen, 0) DESC, user_id LIMIT $limit");
        var rows = await database.QueryAsync(sql.ToString(), ReadUser, cancellationToken, [.. parameters]);

        var next = rows.Count > query.Limit ? rows[query.Limit - 1] : null;
        return new UserPage(rows.Take(query.Limit).ToList(), next is null ? null : new UserCursor(next.LastSeen?.ToUnixTimeMilliseconds() ?? 0, next.UserId));
    }

    public Task<GroupRecord?> GroupAsync(string projectId, string groupId, string? userId, JsonElement? properties, DateTimeOffset now, FieldErrors errors, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadGroupAsync(connection, transaction, projectId, groupId, cancellationToken);
            var merged = properties is { } changes ? UserProperties.Merge(current?.Properties, changes, "properties", errors) : current?.Properties ?? new JsonObject();
            if (merged is null)
            {
                return null;
            }

            var joined = 0;
            if (userId is not null)
            {
                var user = await ReadUserAsync(connection, transaction, projectId, userId, cancellationToken);
                var groups = user?.Groups ?? [];
                if (!groups.Contains(groupId))
                {
                    joined = 1;
                    await using var member = connection.Command(transaction, """
                        INSERT INTO users (project_id, user_id, groups, identified_at) VALUES ($project, $user, $groups, $now)
                        ON CONFLICT (project_id, user_id) DO UPDATE SET groups = excluded.groups, identified_at = excluded.identified_at
                        """);
                    member.Set(("$project", projectId), ("$user", userId), ("$groups", JsonSerializer.Serialize(groups.Append(groupId))), ("$now", now.ToUnixTimeMilliseconds()));
                    await member.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await using var upsert = connection.Command(transaction, """
                INSERT INTO user_groups (project_id, group_id, properties, members, updated_at) VALUES ($project, $group, $properties, $joined, $now)
                ON CONFLICT (project_id, group_id) DO UPDATE SET properties = excluded.properties, members = members + $joined, updated_at = excluded.updated_at
                """);
            upsert.Set(("$project", projectId), ("$group", groupId), ("$properties", merged.ToJsonString()), ("$joined", joined), ("$now", now.ToUnixTimeMilliseconds()));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
            return await ReadGroupAsync(connection, transaction, projectId, groupId, cancellationToken);
        }, cancellationToken);

    public Task<GroupRecord?> GetGroupAsync(string projectId, string groupId, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync("SELECT project_id, group_id, properties, members, updated_at FROM user_groups WHERE project_id = $project AND group_id = $group",
            ReadGroup, cancellationToken, ("$project", projectId), ("$group", groupId));

    private static async Task<UserRecord?> ReadUserAsync(SqliteConnection connection, SqliteTransaction transaction, string projectId, string userId, CancellationToken cancellationToken)
    {
        await using var select = connection.Command(transaction, $"SELECT {UserColumns} FROM users WHERE project_id = $project AND user_id = $user");
        select.Set(("$project", projectId), ("$user", userId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadUser(reader) : null;
    }

    private static async Task<GroupRecord?> ReadGroupAsync(SqliteConnection connection, SqliteTransaction transaction, string projectId, string groupId, CancellationToken cancellationToken)
    {
        await using var select = connection.Command(transaction, "SELECT project_id, group_id, properties, members, updated_at FROM user_groups WHERE project_id = $project AND group_id = $group");
        select.Set(("$project", projectId), ("$group", groupId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadGroup(reader) : null;
    }

    private static UserRecord ReadUser(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), Time(r, 2), Time(r, 3), r.GetInt64(4),
        JsonNode.Parse(r.GetString(5))!.AsObject(), JsonSerializer.Deserialize<List<string>>(r.GetString(6)) ?? [], Time(r, 7));

    private static GroupRecord ReadGroup(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), JsonNode.Parse(r.GetString(2))!.AsObject(), r.GetInt64(3), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)));

    private static DateTimeOffset? Time(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(ordinal));
}
