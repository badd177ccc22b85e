using Microsoft.Data.Sqlite;
using Operational.Contracts.Alerts;
using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Paging;
using Operational.ServiceDefaults.Storage;

namespace Operational.Rules.Storage.Sqlite;

/// <summary>
/// The rules service's SQLite file. Writes are serialized in-process and run in immediate
/// transactions, so an alert change and the message announcing it commit together, and the
/// partial unique index on open alerts keeps one open alert per rule and group even across
/// processes sharing the file.
/// </summary>
public sealed class SqliteRulesStore(SqliteDatabase database) : IRulesStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE rules (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL,
            definition TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX ix_rules_project ON rules (project_id, created_at);
        CREATE TABLE rules_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
        INSERT INTO rules_version VALUES (1, 0);
        CREATE TABLE rule_counts (
            rule_id TEXT NOT NULL,
            grp TEXT NOT NULL,
            bucket INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (rule_id, grp, bucket)
        ) WITHOUT ROWID;
        CREATE INDEX ix_rule_counts_recent ON rule_counts (rule_id, bucket);
        CREATE TABLE rule_last_seen (
            rule_id TEXT NOT NULL,
            grp TEXT NOT NULL,
            event_id TEXT NOT NULL,
            event_name TEXT NOT NULL,
            ts INTEGER NOT NULL,
            PRIMARY KEY (rule_id, grp)
        ) WITHOUT ROWID;
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL,
            rule_id TEXT NOT NULL,
            grp TEXT NOT NULL,
            status TEXT NOT NULL,
            triggered_at INTEGER NOT NULL,
            notified_at INTEGER NOT NULL,
            resolved_at INTEGER,
            snapshot TEXT NOT NULL,
            resolution TEXT
        );
        CREATE UNIQUE INDEX ux_alerts_open ON alerts (rule_id, grp) WHERE status = 'open';
        CREATE INDEX ix_alerts_list ON alerts (project_id, triggered_at DESC, id DESC);
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        """,
        """
        ALTER TABLE alerts ADD COLUMN notified INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE silences (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL,
            rule_id TEXT,
            grp TEXT,
            starts_at INTEGER NOT NULL,
            ends_at INTEGER NOT NULL,
            comment TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX ix_silences_project ON silences (project_id, ends_at);
        """,
        """
        CREATE TABLE rule_runs (
            rule_id TEXT NOT NULL,
            context_id TEXT NOT NULL,
            project_id TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            deadline INTEGER NOT NULL,
            PRIMARY KEY (rule_id, context_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_rule_runs_context ON rule_runs (project_id, context_id);
        CREATE INDEX ix_rule_runs_deadline ON rule_runs (rule_id, deadline);
        """,
    ];

    private const string AlertColumns = "snapshot, status, notified, notified_at, resolved_at, resolution";

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public async Task<Rule?> GetRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken)
    {
        var rules = await ReadRulesAsync("WHERE project_id = $project AND id = $id", cancellationToken, ("$project", projectId), ("$id", ruleId));
        return rules.SingleOrDefault();
    }

    public Task<IReadOnlyList<Rule>> ListRulesAsync(string projectId, CancellationToken cancellationToken) =>
        ReadRulesAsync("WHERE project_id = $project ORDER BY created_at, id", cancellationToken, ("$project", projectId));

    public Task<IReadOnlyList<Rule>> AllRulesAsync(CancellationToken cancellationToken) =>
        ReadRulesAsync("ORDER BY project_id, created_at, id", cancellationToken);

    public Task SaveRuleAsync(Rule rule, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var save = connection.Command(transaction, """
                INSERT INTO rules (id, project_id, definition, created_at, updated_at) VALUES ($id, $project, $definition, $created, $updated)
                ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at;
                UPDATE rules_version SET version = version + 1;
                """);
            save.Set(("$id", rule.Id), ("$project", rule.ProjectId), ("$definition", RulesJson.Write(rule.Definition)),
                ("$created", rule.CreatedAt.ToUnixTimeMilliseconds()), ("$updated", rule.UpdatedAt.ToUnixTimeMilliseconds()));
            await save.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<bool> DeleteRuleAsync(string projectId, string ruleId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deleted = false;
        await database.WriteAsync(async (connection, transaction) =>
        {
            using var delete = connection.Command(transaction, "DELETE FROM rules WHERE project_id = $project AND id = $id");
            delete.Set(("$project", projectId), ("$id", ruleId));
            deleted = await delete.ExecuteNonQueryAsync(cancellationToken) == 1;
            if (!deleted)
            {
                return;
            }

            using var forget = connection.Command(transaction, """
                DELETE FROM rule_counts WHERE rule_id = $id;
                DELETE FROM rule_runs WHERE rule_id = $id;
                DELETE FROM rule_last_seen WHERE rule_id = $id;
                UPDATE rules_version SET version = version + 1;
                """);
            forget.Set(("$id", ruleId));
            await forget.ExecuteNonQueryAsync(cancellationToken);
            foreach (var open in await ReadAlertsAsync(connection, transaction, "WHERE rule_id = $rule AND status = 'open'", cancellationToken, ("$rule", ruleId)))
            {
                await ResolveAsync(connection, transaction, open, now, new AlertEvidence("The rule was deleted."), cancellationToken);
            }
        }, cancellationToken);
        return deleted;
    }

    public async Task<long> RulesVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, "SELECT version FROM rules_version");
        return (long)(await select.ExecuteScalarAsync(cancellationToken))!;
    }

    public Task CountAsync(IReadOnlyList<RuleHit> hits, CancellationToken cancellationToken) =>
        hits.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            using var count = connection.Command(transaction, """
                INSERT INTO rule_counts (rule_id, grp, bucket, n) VALUES ($rule, $grp, $bucket, 1)
                ON CONFLICT (rule_id, grp, bucket) DO UPDATE SET n = n + 1
                """);
            using var last = connection.Command(transaction, """
                INSERT INTO rule_last_seen (rule_id, grp, event_id, event_name, ts) VALUES ($rule, $grp, $event, $name, $ts)
                ON CONFLICT (rule_id, grp) DO UPDATE SET event_id = excluded.event_id, event_name = excluded.event_name, ts = excluded.ts
                WHERE excluded.ts >= ts
                """);
            foreach (var hit in hits)
            {
                count.Set(("$rule", hit.RuleId), ("$grp", RulesJson.GroupKey(hit.Group)), ("$bucket", hit.BucketStart.ToUnixTimeMilliseconds()));
                await count.ExecuteNonQueryAsync(cancellationToken);
                last.Set(("$rule", hit.RuleId), ("$grp", RulesJson.GroupKey(hit.Group)), ("$event", hit.EventId), ("$name", hit.EventName),
                    ("$ts", hit.Timestamp.ToUnixTimeMilliseconds()));
                await last.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public async Task<long> SumAsync(string ruleId, string? group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var sum = connection.Command(null, "SELECT COALESCE(SUM(n), 0) FROM rule_counts WHERE rule_id = $rule AND grp = $grp AND bucket >= $from AND bucket < $to");
        sum.Set(("$rule", ruleId), ("$grp", RulesJson.GroupKey(group)), ("$from", from.ToUnixTimeMilliseconds()), ("$to", to.ToUnixTimeMilliseconds()));
        return (long)(await sum.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<string>> GroupsSeenAsync(string ruleId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, "SELECT DISTINCT grp FROM rule_counts WHERE rule_id = $rule AND bucket >= $since AND grp <> ''");
        select.Set(("$rule", ruleId), ("$since", since.ToUnixTimeMilliseconds()));
        var groups = new List<string>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(reader.GetString(0));
        }

        return groups;
    }

    public async Task<LastSeen?> LastSeenAsync(string ruleId, string? group, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, "SELECT event_id, event_name, ts FROM rule_last_seen WHERE rule_id = $rule AND grp = $grp");
        select.Set(("$rule", ruleId), ("$grp", RulesJson.GroupKey(group)));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new LastSeen(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)))
            : null;
    }

    public Task PruneCountsAsync(IReadOnlyList<(string RuleId, DateTimeOffset Before)> cutoffs, CancellationToken cancellationToken) =>
        cutoffs.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            using var prune = connection.Command(transaction, "DELETE FROM rule_counts WHERE rule_id = $rule AND bucket < $before");
            foreach (var (ruleId, before) in cutoffs)
            {
                prune.Set(("$rule", ruleId), ("$before", before.ToUnixTimeMilliseconds()));
                await prune.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public Task StartRunsAsync(IReadOnlyList<RuleRun> runs, CancellationToken cancellationToken) =>
        runs.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            using var insert = connection.Command(transaction, """
                INSERT INTO rule_runs (rule_id, context_id, project_id, started_at, deadline) VALUES ($rule, $context, $project, $started, $deadline)
                ON CONFLICT DO NOTHING
                """);
            foreach (var run in runs)
            {
                insert.Set(("$rule", run.RuleId), ("$context", run.ContextId), ("$project", run.ProjectId),
                    ("$started", run.StartedAt.ToUnixTimeMilliseconds()), ("$deadline", run.Deadline.ToUnixTimeMilliseconds()));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public async Task<IReadOnlyList<RuleRun>> EndRunsAsync(string projectId, string contextId, CancellationToken cancellationToken)
    {
        var ended = new List<RuleRun>();
        await database.WriteAsync(async (connection, transaction) =>
        {
            using var delete = connection.Command(transaction,
                "DELETE FROM rule_runs WHERE project_id = $project AND context_id = $context RETURNING rule_id, project_id, context_id, started_at, deadline");
            delete.Set(("$project", projectId), ("$context", contextId));
            ended.AddRange(await ReadRunsAsync(delete, cancellationToken));
        }, cancellationToken);
        return ended;
    }

    public async Task<IReadOnlyList<RuleRun>> OverdueRunsAsync(string ruleId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, "SELECT rule_id, project_id, context_id, started_at, deadline FROM rule_runs WHERE rule_id = $rule AND deadline < $now");
        select.Set(("$rule", ruleId), ("$now", now.ToUnixTimeMilliseconds()));
        return await ReadRunsAsync(select, cancellationToken);
    }

    private static async Task<List<RuleRun>> ReadRunsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var runs = new List<RuleRun>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new RuleRun(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return runs;
    }

    public async Task<bool> OpenAlertAsync(AlertSnapshot alert, bool notify, CancellationToken cancellationToken)
    {
        var opened = false;
        await database.WriteAsync(async (connection, transaction) =>
        {
            opened = await InsertAlertAsync(connection, transaction, alert, AlertStatus.Open, notify, cancellationToken);
            if (opened && notify)
            {
                await EnqueueAsync(connection, transaction, new AlertTriggered(alert), cancellationToken);
            }
        }, cancellationToken);
        return opened;
    }

    public Task RecordFiredAsync(AlertSnapshot alert, bool notify, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // The id is the rule's and the event's: a redelivered event fires once.
            if (await InsertAlertAsync(connection, transaction, alert, AlertStatus.Fired, notify, cancellationToken) && notify)
            {
                await EnqueueAsync(connection, transaction, new AlertTriggered(alert), cancellationToken);
            }
        }, cancellationToken);

    public async Task<IReadOnlyList<AlertRecord>> OpenAlertsAsync(string ruleId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAlertsAsync(connection, null, "WHERE rule_id = $rule AND status = 'open'", cancellationToken, ("$rule", ruleId));
    }

    public Task ResolveAlertAsync(string alertId, DateTimeOffset at, AlertEvidence evidence, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var open = await ReadAlertsAsync(connection, transaction, "WHERE id = $id AND status = 'open'", cancellationToken, ("$id", alertId));
            if (open.Count == 1)
            {
                await ResolveAsync(connection, transaction, open[0], at, evidence, cancellationToken);
            }
        }, cancellationToken);

    public Task NotifyAgainAsync(string alertId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var open = await ReadAlertsAsync(connection, transaction, "WHERE id = $id AND status = 'open'", cancellationToken, ("$id", alertId));
            if (open.Count == 1)
            {
                using var note = connection.Command(transaction, "UPDATE alerts SET notified = 1, notified_at = $at WHERE id = $id");
                note.Set(("$id", alertId), ("$at", at.ToUnixTimeMilliseconds()));
                await note.ExecuteNonQueryAsync(cancellationToken);
                await EnqueueAsync(connection, transaction,
                    open[0].Notified ? new AlertRepeated(open[0].Alert, at) : new AlertTriggered(open[0].Alert), cancellationToken);
            }
        }, cancellationToken);

    public Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var insert = connection.Command(transaction, """
                INSERT INTO silences (id, project_id, rule_id, grp, starts_at, ends_at, comment, created_at)
                VALUES ($id, $project, $rule, $grp, $starts, $ends, $comment, $created)
                """);
            insert.Set(("$id", silence.Id), ("$project", silence.ProjectId), ("$rule", silence.RuleId), ("$grp", silence.Group),
                ("$starts", silence.StartsAt.ToUnixTimeMilliseconds()), ("$ends", silence.EndsAt.ToUnixTimeMilliseconds()),
                ("$comment", silence.Comment), ("$created", silence.CreatedAt.ToUnixTimeMilliseconds()));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<Silence>> SilencesAsync(string projectId, bool activeOnly, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, $"""
            SELECT id, project_id, rule_id, grp, starts_at, ends_at, comment, created_at FROM silences
            WHERE project_id = $project {(activeOnly ? "AND ends_at > $now" : "")} ORDER BY created_at DESC, id DESC
            """);
        select.Set(("$project", projectId), ("$now", now.ToUnixTimeMilliseconds()));
        var silences = new List<Silence>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            silences.Add(new Silence(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), reader.GetString(6),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
        }

        return silences;
    }

    public async Task<bool> EndSilenceAsync(string projectId, string silenceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ended = false;
        await database.WriteAsync(async (connection, transaction) =>
        {
            using var end = connection.Command(transaction, "UPDATE silences SET ends_at = $now WHERE project_id = $project AND id = $id AND ends_at > $now");
            end.Set(("$project", projectId), ("$id", silenceId), ("$now", now.ToUnixTimeMilliseconds()));
            ended = await end.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
        return ended;
    }

    public async Task<AlertPage> ListAlertsAsync(string projectId, string? status, string? ruleId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var where = "WHERE project_id = $project";
        var parameters = new List<(string, object?)> { ("$project", projectId), ("$limit", limit + 1) };
        if (status is not null)
        {
            where += " AND status = $status";
            parameters.Add(("$status", status));
        }

        if (ruleId is not null)
        {
            where += " AND rule_id = $rule";
            parameters.Add(("$rule", ruleId));
        }

        if (AlertCursor.TryDecode(cursor, out var afterMs, out var afterId))
        {
            where += " AND (triggered_at < $afterMs OR (triggered_at = $afterMs AND id < $afterId))";
            parameters.Add(("$afterMs", afterMs));
            parameters.Add(("$afterId", afterId));
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var alerts = await ReadAlertsAsync(connection, null, where + " ORDER BY triggered_at DESC, id DESC LIMIT $limit", cancellationToken, [.. parameters]);
        return AlertCursor.Page(alerts, limit);
    }

    public async Task<IReadOnlyList<OutboxMessage>> PendingMessagesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, "SELECT seq, type, payload FROM outbox ORDER BY seq LIMIT $limit");
        select.Set(("$limit", limit));
        var messages = new List<OutboxMessage>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new OutboxMessage(reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture), RulesJson.ReadMessage(reader.GetString(1), reader.GetString(2))));
        }

        return messages;
    }

    public Task RemoveMessagesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        ids.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            using var delete = connection.Command(transaction, "DELETE FROM outbox WHERE seq = $seq");
            foreach (var id in ids)
            {
                delete.Set(("$seq", long.Parse(id, System.Globalization.CultureInfo.InvariantCulture)));
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    private static async Task<bool> InsertAlertAsync(
        SqliteConnection connection, SqliteTransaction transaction, AlertSnapshot alert, string status, bool notify, CancellationToken cancellationToken)
    {
        using var insert = connection.Command(transaction, """
            INSERT INTO alerts (id, project_id, rule_id, grp, status, triggered_at, notified, notified_at, snapshot)
            VALUES ($id, $project, $rule, $grp, $status, $at, $notified, $at, $snapshot)
            ON CONFLICT DO NOTHING
            """);
        insert.Set(("$id", alert.AlertId), ("$project", alert.ProjectId), ("$rule", alert.RuleId), ("$grp", RulesJson.GroupKey(alert.Group)),
            ("$status", status), ("$at", alert.TriggeredAt.ToUnixTimeMilliseconds()), ("$notified", notify), ("$snapshot", RulesJson.Write(alert)));
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task ResolveAsync(SqliteConnection connection, SqliteTransaction transaction, AlertRecord open, DateTimeOffset at, AlertEvidence evidence, CancellationToken cancellationToken)
    {
        using var resolve = connection.Command(transaction, "UPDATE alerts SET status = 'resolved', resolved_at = $at, resolution = $resolution WHERE id = $id");
        resolve.Set(("$id", open.Alert.AlertId), ("$at", at.ToUnixTimeMilliseconds()), ("$resolution", RulesJson.Write(evidence)));
        await resolve.ExecuteNonQueryAsync(cancellationToken);
        if (open.Notified)
        {
            await EnqueueAsync(connection, transaction, new AlertResolved(open.Alert, at, evidence), cancellationToken);
        }
    }

    private static async Task EnqueueAsync(SqliteConnection connection, SqliteTransaction transaction, object message, CancellationToken cancellationToken)
    {
        var (type, payload) = RulesJson.WriteMessage(message);
        using var enqueue = connection.Command(transaction, "INSERT INTO outbox (type, payload) VALUES ($type, $payload)");
        enqueue.Set(("$type", type), ("$payload", payload));
        await enqueue.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<AlertRecord>> ReadAlertsAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        using var select = connection.Command(transaction, $"SELECT {AlertColumns} FROM alerts {where}");
        select.Set(parameters);
        var alerts = new List<AlertRecord>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            alerts.Add(new AlertRecord(
                RulesJson.Read<AlertSnapshot>(reader.GetString(0)),
                reader.GetString(1),
                reader.GetBoolean(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : RulesJson.Read<AlertEvidence>(reader.GetString(5))));
        }

        return alerts;
    }

    private async Task<IReadOnlyList<Rule>> ReadRulesAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var select = connection.Command(null, $"SELECT id, project_id, definition, created_at, updated_at FROM rules {where}");
        select.Set(parameters);
        var rules = new List<Rule>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rules.Add(new Rule(reader.GetString(0), reader.GetString(1), RulesJson.ReadDefinition(reader.GetString(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return rules;
    }

}
