using System.Text.Json;
using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Storage;
using Operational.ServiceDefaults.Validation;
using Operational.Storage.Insights;

namespace Operational.Storage.Events.Sqlite;

/// <summary>Insights in the events' file: an increment reads and writes in one write transaction, so concurrent ones add up.</summary>
public sealed partial class SqliteEventStore
{
    public Task<InsightRecord> SetInsightAsync(string projectId, string title, JsonElement value, string? icon, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await WriteInsightAsync(connection, transaction, projectId, title, value, icon, now, cancellationToken);
            return (await ReadInsightAsync(connection, transaction, projectId, title, 0, cancellationToken))!;
        }, cancellationToken);

    public Task<InsightRecord?> IncrementInsightAsync(string projectId, string title, decimal delta, string? icon, DateTimeOffset now, FieldErrors errors, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var current = await ReadInsightAsync(connection, transaction, projectId, title, 0, cancellationToken);
            if (Insights.Insights.Increment(current?.Value, delta, errors) is not { } value)
            {
                return null;
            }

            await WriteInsightAsync(connection, transaction, projectId, title, value, icon, now, cancellationToken);
            return await ReadInsightAsync(connection, transaction, projectId, title, 0, cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<InsightRecord>> ListInsightsAsync(string projectId, int historyPoints, CancellationToken cancellationToken)
    {
        var titles = await database.QueryAsync("SELECT title FROM insights WHERE project_id = $project ORDER BY title", r => r.GetString(0), cancellationToken, ("$project", projectId));
        await using var connection = await database.OpenAsync(cancellationToken);
        var insights = new List<InsightRecord>(titles.Count);
        foreach (var title in titles)
        {
            if (await ReadInsightAsync(connection, null, projectId, title, historyPoints, cancellationToken) is { } insight)
            {
                insights.Add(insight);
            }
        }

        return insights;
    }

    private static async Task WriteInsightAsync(SqliteConnection connection, SqliteTransaction transaction, string projectId, string title, JsonElement value, string? icon,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var upsert = connection.Command(transaction, """
            INSERT INTO insights (project_id, title, value, icon, updated_at) VALUES ($project, $title, $value, $icon, $now)
            ON CONFLICT (project_id, title) DO UPDATE SET value = excluded.value, icon = COALESCE(excluded.icon, icon), updated_at = excluded.updated_at
            """);
        upsert.Set(("$project", projectId), ("$title", title), ("$value", value.GetRawText()), ("$icon", icon), ("$now", now.ToUnixTimeMilliseconds()));
        await upsert.ExecuteNonQueryAsync(cancellationToken);

        await using var history = connection.Command(transaction, """
            INSERT INTO insight_history (project_id, title, ts, value) VALUES ($project, $title, $now, $value);
            DELETE FROM insight_history WHERE project_id = $project AND title = $title AND seq <= (
                SELECT seq FROM insight_history WHERE project_id = $project AND title = $title ORDER BY seq DESC LIMIT 1 OFFSET $kept);
            """);
        history.Set(("$project", projectId), ("$title", title), ("$now", now.ToUnixTimeMilliseconds()), ("$value", value.GetRawText()), ("$kept", Insights.Insights.HistoryKept));
        await history.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<InsightRecord?> ReadInsightAsync(SqliteConnection connection, SqliteTransaction? transaction, string projectId, string title, int historyPoints,
        CancellationToken cancellationToken)
    {
        await using var select = connection.Command(transaction, "SELECT value, icon, updated_at FROM insights WHERE project_id = $project AND title = $title");
        select.Set(("$project", projectId), ("$title", title));
        JsonElement value;
        string? icon;
        DateTimeOffset updated;
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            value = JsonSerializer.Deserialize<JsonElement>(reader.GetString(0));
            icon = reader.IsDBNull(1) ? null : reader.GetString(1);
            updated = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2));
        }

        var points = new List<InsightPoint>();
        if (historyPoints > 0)
        {
            await using var history = connection.Command(transaction,
                "SELECT ts, value FROM insight_history WHERE project_id = $project AND title = $title ORDER BY seq DESC LIMIT $limit");
            history.Set(("$project", projectId), ("$title", title), ("$limit", historyPoints));
            await using var reader = await history.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                points.Add(new InsightPoint(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), JsonSerializer.Deserialize<JsonElement>(reader.GetString(1))));
            }

            points.Reverse();
        }

        return new InsightRecord(projectId, title, value, icon, updated, points);
    }
}
