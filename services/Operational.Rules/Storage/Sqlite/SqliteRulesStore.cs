using Operational.Rules.Definitions;
using Operational.ServiceDefaults.Storage;

namespace Operational.Rules.Storage.Sqlite;

/// <summary>
/// The rules service's SQLite file: rules here, counters and runs in <c>.Counting</c>, alerts,
/// their outbox and silences in <c>.Alerts</c>. Writes run in immediate transactions, so an alert
/// change and the messages announcing it commit together, and the partial unique index on open
/// alerts keeps one open alert per rule and group even across processes sharing the file. It only
/// saves: what changes and what is announced is decided by <see cref="Alerts.AlertLifecycle"/>.
/// </summary>
public sealed partial class SqliteRulesStore(SqliteDatabase database) : IRulesStore
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
        """
        CREATE TABLE rule_counted_events (
            project_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            counted_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, event_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_rule_counted_events_at ON rule_counted_events (counted_at);
        """,
        """
        CREATE TABLE rule_run_endings (
            project_id TEXT NOT NULL,
            context_id TEXT NOT NULL,
            failed INTEGER NOT NULL,
            last_event_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, context_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_rule_run_endings_at ON rule_run_endings (last_event_at);
        """,
        """
        CREATE TABLE check_runs (
            check_id TEXT NOT NULL,
            run_id TEXT NOT NULL,
            project_id TEXT NOT NULL,
            keyed INTEGER NOT NULL,
            started_at INTEGER,
            ended_at INTEGER,
            outcome TEXT,
            exit_status INTEGER,
            duration_ms INTEGER,
            output TEXT,
            at INTEGER NOT NULL,
            PRIMARY KEY (check_id, run_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_check_runs_recent ON check_runs (check_id, at DESC);
        CREATE TABLE check_pings (
            check_id TEXT PRIMARY KEY,
            last_ping_at INTEGER NOT NULL,
            last_signal TEXT NOT NULL,
            pings INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,
        """
        ALTER TABLE alerts ADD COLUMN handling TEXT;
        CREATE TABLE rule_check_history (
            rule_id TEXT NOT NULL,
            grp TEXT NOT NULL,
            failed INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (rule_id, grp)
        ) WITHOUT ROWID;
        ALTER TABLE silences ADD COLUMN cron TEXT;
        ALTER TABLE silences ADD COLUMN time_zone TEXT;
        ALTER TABLE silences ADD COLUMN duration_seconds INTEGER;
        ALTER TABLE silences ADD COLUMN tag TEXT;
        """,
        """
        CREATE TABLE rule_values (
            rule_id TEXT NOT NULL,
            grp TEXT NOT NULL,
            bucket INTEGER NOT NULL,
            count INTEGER NOT NULL,
            sum REAL NOT NULL,
            min REAL NOT NULL,
            max REAL NOT NULL,
            sketch BLOB NOT NULL,
            PRIMARY KEY (rule_id, grp, bucket)
        ) WITHOUT ROWID;
        """,
    ];

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public async Task<Rule?> GetRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken) =>
        (await ReadRulesAsync("WHERE project_id = $project AND id = $id", cancellationToken, ("$project", projectId), ("$id", ruleId))).SingleOrDefault();

    public Task<IReadOnlyList<Rule>> ListRulesAsync(string projectId, CancellationToken cancellationToken) =>
        ReadRulesAsync("WHERE project_id = $project ORDER BY created_at, id", cancellationToken, ("$project", projectId));

    public Task<IReadOnlyList<Rule>> AllRulesAsync(CancellationToken cancellationToken) =>
        ReadRulesAsync("ORDER BY project_id, created_at, id", cancellationToken);

    public Task SaveRuleAsync(Rule rule, CancellationToken cancellationToken) =>
        database.ExecuteAsync("""
            INSERT INTO rules (id, project_id, definition, created_at, updated_at) VALUES ($id, $project, $definition, $created, $updated)
            ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at;
            UPDATE rules_version SET version = version + 1;
            """,
            cancellationToken,
            ("$id", rule.Id), ("$project", rule.ProjectId), ("$definition", RulesJson.Write(rule.Definition)),
            ("$created", rule.CreatedAt.ToUnixTimeMilliseconds()), ("$updated", rule.UpdatedAt.ToUnixTimeMilliseconds()));

    public Task<bool> DeleteRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteAsync(transaction, "DELETE FROM rules WHERE project_id = $project AND id = $id", cancellationToken,
                    ("$project", projectId), ("$id", ruleId)) != 1)
            {
                return false;
            }

            await connection.ExecuteAsync(transaction, """
                DELETE FROM rule_counts WHERE rule_id = $id OR rule_id = $id || '#rate';
                DELETE FROM rule_values WHERE rule_id = $id;
                DELETE FROM rule_runs WHERE rule_id = $id;
                DELETE FROM rule_last_seen WHERE rule_id = $id;
                DELETE FROM check_runs WHERE check_id = $id;
                DELETE FROM check_pings WHERE check_id = $id;
                DELETE FROM rule_check_history WHERE rule_id = $id;
                UPDATE rules_version SET version = version + 1;
                """,
                cancellationToken, ("$id", ruleId));
            return true;
        }, cancellationToken);

    public async Task<long> RulesVersionAsync(CancellationToken cancellationToken) =>
        (long)(await database.ScalarAsync("SELECT version FROM rules_version", cancellationToken))!;

    private async Task<IReadOnlyList<Rule>> ReadRulesAsync(string where, CancellationToken cancellationToken, params (string, object?)[] parameters) =>
        await database.QueryAsync($"SELECT id, project_id, definition, created_at, updated_at FROM rules {where}",
            reader => new Rule(reader.GetString(0), reader.GetString(1), RulesJson.ReadDefinition(reader.GetString(2)), reader.GetTime(3), reader.GetTime(4)),
            cancellationToken, parameters);
}
