using System.Globalization;
using Microsoft.Data.Sqlite;
using Operational.Contracts.Alerts;
using Operational.Rules.Alerts;
using Operational.ServiceDefaults.Storage;

namespace Operational.Rules.Storage.Sqlite;

/// <summary>Alerts, the outbox of the messages announcing their changes, and silences.</summary>
public sealed partial class SqliteRulesStore
{
    private const string AlertColumns = "snapshot, status, notified, notified_at, resolved_at, resolution, handling";

    public Task<bool> AddAsync(AlertChange change, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var (alert, record) = (change.Record.Alert, change.Record);
            // Conflicts on the id (a redelivered event) or on the one open alert per rule and group.
            var added = await connection.ExecuteAsync(transaction, """
                INSERT INTO alerts (id, project_id, rule_id, grp, status, triggered_at, notified, notified_at, resolved_at, snapshot, resolution, handling)
                VALUES ($id, $project, $rule, $grp, $status, $triggered, $notified, $notifiedAt, $resolvedAt, $snapshot, $resolution, $handling)
                ON CONFLICT DO NOTHING
                """,
                cancellationToken,
                ("$id", alert.AlertId), ("$project", alert.ProjectId), ("$rule", alert.RuleId), ("$grp", RulesJson.GroupKey(alert.Group)),
                ("$status", record.Status), ("$triggered", alert.TriggeredAt.ToUnixTimeMilliseconds()), ("$notified", record.Notified),
                ("$notifiedAt", record.LastNotifiedAt.ToUnixTimeMilliseconds()), ("$resolvedAt", record.ResolvedAt?.ToUnixTimeMilliseconds()),
                ("$snapshot", RulesJson.Write(alert)), ("$resolution", record.Resolution is null ? null : RulesJson.Write(record.Resolution)),
                ("$handling", HandlingOf(record))) == 1;
            if (added)
            {
                await EnqueueAsync(connection, transaction, change.Messages, cancellationToken);
            }

            return added;
        }, cancellationToken);

    public Task<bool> UpdateAsync(string alertId, Func<AlertRecord, AlertChange?> decide, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // Read inside the write transaction: no other writer can change the alert in between.
            using var select = connection.Command(transaction, $"SELECT {AlertColumns} FROM alerts WHERE id = $id");
            select.Set(("$id", alertId));
            if (await select.FirstOrDefaultAsync(ReadAlert, cancellationToken) is not { } current || decide(current) is not { } change)
            {
                return false;
            }

            var next = change.Record;
            await connection.ExecuteAsync(transaction, """
                UPDATE alerts SET status = $status, notified = $notified, notified_at = $notifiedAt, resolved_at = $resolvedAt, resolution = $resolution,
                    handling = $handling
                WHERE id = $id
                """,
                cancellationToken,
                ("$id", alertId), ("$status", next.Status), ("$notified", next.Notified), ("$notifiedAt", next.LastNotifiedAt.ToUnixTimeMilliseconds()),
                ("$resolvedAt", next.ResolvedAt?.ToUnixTimeMilliseconds()), ("$resolution", next.Resolution is null ? null : RulesJson.Write(next.Resolution)),
                ("$handling", HandlingOf(next)));
            await EnqueueAsync(connection, transaction, change.Messages, cancellationToken);
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<AlertRecord>> OpenAlertsAsync(string ruleId, CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {AlertColumns} FROM alerts WHERE rule_id = $rule AND status = 'open'", ReadAlert, cancellationToken, ("$rule", ruleId));

    public async Task<AlertRecord?> GetAlertAsync(string? projectId, string alertId, CancellationToken cancellationToken) =>
        await database.QueryFirstOrDefaultAsync($"SELECT {AlertColumns} FROM alerts WHERE id = $id AND ($project IS NULL OR project_id = $project)", ReadAlert, cancellationToken,
            ("$id", alertId), ("$project", projectId));

    public async Task<IReadOnlyList<string>> RulesWithOpenAlertsAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT DISTINCT rule_id FROM alerts WHERE status = 'open'", reader => reader.GetString(0), cancellationToken);

    public async Task<AlertPage> ListAlertsAsync(string projectId, string? status, string? ruleId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var where = "WHERE project_id = $project";
        if (status is not null)
        {
            where += " AND status = $status";
        }

        if (ruleId is not null)
        {
            where += " AND rule_id = $rule";
        }

        var after = AlertCursor.TryDecode(cursor, out var afterMs, out var afterId);
        if (after)
        {
            where += " AND (triggered_at < $afterMs OR (triggered_at = $afterMs AND id < $afterId))";
        }

        var alerts = await database.QueryAsync($"SELECT {AlertColumns} FROM alerts {where} ORDER BY triggered_at DESC, id DESC LIMIT $limit", ReadAlert, cancellationToken,
            ("$project", projectId), ("$status", status), ("$rule", ruleId), ("$afterMs", afterMs), ("$afterId", afterId), ("$limit", limit + 1));
        return AlertCursor.Page(alerts, limit);
    }

    public async Task<IReadOnlyList<OutboxMessage>> PendingMessagesAsync(int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT seq, type, payload FROM outbox ORDER BY seq LIMIT $limit",
            reader => new OutboxMessage(reader.GetInt64(0).ToString(CultureInfo.InvariantCulture), RulesJson.ReadMessage(reader.GetString(1), reader.GetString(2))),
            cancellationToken, ("$limit", limit));

    public Task RemoveMessagesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        ids.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            using var delete = connection.Command(transaction, "DELETE FROM outbox WHERE seq = $seq");
            foreach (var id in ids)
            {
                delete.Set(("$seq", long.Parse(id, CultureInfo.InvariantCulture)));
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            INSERT INTO silences (id, project_id, rule_id, grp, starts_at, ends_at, comment, created_at, cron, time_zone, duration_seconds, tag)
            VALUES ($id, $project, $rule, $grp, $starts, $ends, $comment, $created, $cron, $zone, $duration, $tag)
            """,
            cancellationToken,
            ("$id", silence.Id), ("$project", silence.ProjectId), ("$rule", silence.RuleId), ("$grp", silence.Group),
            ("$starts", silence.StartsAt.ToUnixTimeMilliseconds()), ("$ends", silence.EndsAt.ToUnixTimeMilliseconds()),
            ("$comment", silence.Comment), ("$created", silence.CreatedAt.ToUnixTimeMilliseconds()),
            ("$cron", silence.Cron), ("$zone", silence.TimeZone), ("$duration", silence.DurationSeconds), ("$tag", silence.Tag));

    public async Task<IReadOnlyList<Silence>> SilencesAsync(string projectId, bool activeOnly, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.QueryAsync($"""
            SELECT id, project_id, rule_id, grp, starts_at, ends_at, comment, created_at, cron, time_zone, duration_seconds, tag FROM silences
            WHERE project_id = $project {(activeOnly ? "AND ends_at > $now" : "")} ORDER BY created_at DESC, id DESC
            """,
            reader => new Silence(reader.GetString(0), reader.GetString(1), reader.GetStringOrNull(2), reader.GetStringOrNull(3),
                reader.GetTime(4), reader.GetTime(5), reader.GetString(6), reader.GetTime(7),
                reader.GetStringOrNull(8), reader.GetStringOrNull(9), reader.IsDBNull(10) ? null : reader.GetInt32(10), reader.GetStringOrNull(11)),
            cancellationToken, ("$project", projectId), ("$now", now.ToUnixTimeMilliseconds()));

    public async Task<bool> EndSilenceAsync(string projectId, string silenceId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.ExecuteAsync("UPDATE silences SET ends_at = $now WHERE project_id = $project AND id = $id AND ends_at > $now", cancellationToken,
            ("$project", projectId), ("$id", silenceId), ("$now", now.ToUnixTimeMilliseconds())) == 1;

    private static async Task EnqueueAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<object> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            var (type, payload) = RulesJson.WriteMessage(message);
            await connection.ExecuteAsync(transaction, "INSERT INTO outbox (type, payload) VALUES ($type, $payload)", cancellationToken, ("$type", type), ("$payload", payload));
        }
    }

    private static AlertRecord ReadAlert(SqliteDataReader reader) => new(
        RulesJson.Read<AlertSnapshot>(reader.GetString(0)),
        reader.GetString(1),
        reader.GetBoolean(2),
        reader.GetTime(3),
        reader.GetTimeOrNull(4),
        reader.IsDBNull(5) ? null : RulesJson.Read<AlertEvidence>(reader.GetString(5)),
        reader.IsDBNull(6) ? null : RulesJson.Read<AlertHandling>(reader.GetString(6)));

    private static string? HandlingOf(AlertRecord record) => record.Handling is null or { Escalated: 0, AcknowledgedAt: null, SuppressedBy: null } ? null : RulesJson.Write(record.Handling);
}
