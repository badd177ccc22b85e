using System.Text;
using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Storage;

namespace Operational.Contexts.Tracking.Sqlite;

/// <summary>
/// Contexts in one SQLite file. Each batch is one immediate transaction: the new entries are
/// inserted (an event id the context has is skipped) and only those are merged into the
/// stored state, so the fold is incremental and exact. Several processes may share the file
/// (SQLite serializes their write transactions), which is how replicas run on one machine.
/// </summary>
public sealed class SqliteContextStore(SqliteDatabase database, int defaultTimeoutSeconds) : IContextStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE context_entries (
            project_id TEXT NOT NULL,
            context_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            ts INTEGER NOT NULL,
            PRIMARY KEY (project_id, context_id, event_id)
        ) WITHOUT ROWID;
        CREATE TABLE contexts (
            project_id TEXT NOT NULL,
            context_id TEXT NOT NULL,
            state TEXT NOT NULL,
            title TEXT NOT NULL,
            category TEXT,
            test INTEGER NOT NULL,
            status TEXT NOT NULL,
            first_ts INTEGER NOT NULL,
            last_ts INTEGER NOT NULL,
            timeout_s INTEGER NOT NULL,
            own_timeout INTEGER NOT NULL,
            stall_ts INTEGER NOT NULL,
            announced TEXT,
            pending_ts INTEGER,
            claimed_until INTEGER,
            version INTEGER NOT NULL,
            PRIMARY KEY (project_id, context_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_contexts_list ON contexts (project_id, test, first_ts DESC, context_id DESC);
        CREATE INDEX ix_contexts_pending ON contexts (pending_ts) WHERE pending_ts IS NOT NULL;
        CREATE TABLE context_settings (
            project_id TEXT PRIMARY KEY,
            default_timeout_s INTEGER NOT NULL
        );
        """,
        "CREATE INDEX ix_contexts_last ON contexts (last_ts);",
    ];

    private const string Columns = "project_id, context_id, state, timeout_s, announced, version";

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public async Task<bool> ApplyAsync(IReadOnlyList<ContextEntryFor> entries, CancellationToken cancellationToken)
    {
        var due = false;
        if (entries.Count == 0)
        {
            return due;
        }

        await database.WriteAsync(async (connection, transaction) =>
        {
            using var insert = connection.Command(transaction, """
                INSERT INTO context_entries (project_id, context_id, event_id, ts) VALUES ($project, $context, $event, $ts)
                ON CONFLICT DO NOTHING RETURNING 1
                """);
            var defaults = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var context in entries.GroupBy(e => (e.ProjectId, e.ContextId)))
            {
                var (projectId, contextId) = context.Key;
                ContextState? added = null;
                foreach (var entry in context.Select(c => c.Entry))
                {
                    insert.Set(("$project", projectId), ("$context", contextId), ("$event", entry.EventId), ("$ts", entry.Timestamp.ToUnixTimeMilliseconds()));
                    if (await insert.ExecuteScalarAsync(cancellationToken) is not null)
                    {
                        added = added is null ? ContextState.Of(entry) : added.Add(entry);
                    }
                }

                if (added is null)
                {
                    continue; // every entry was applied before
                }

                var existing = await ReadAsync(connection, transaction, projectId, contextId, cancellationToken);
                if (!defaults.TryGetValue(projectId, out var defaultTimeout))
                {
                    defaultTimeout = defaults[projectId] = await ProjectTimeoutAsync(connection, transaction, projectId, cancellationToken) ?? defaultTimeoutSeconds;
                }

                var state = existing is null ? added : existing.State.Merge(added);
                var record = ContextRecord.For(projectId, contextId, state, defaultTimeout, existing?.Announced, (existing?.Version ?? 0) + 1);
                await SaveAsync(connection, transaction, record, releaseClaim: false, cancellationToken);
                due |= record.PendingAt == DateTimeOffset.UnixEpoch;
            }
        }, cancellationToken);
        return due;
    }

    public async Task<ContextRecord?> GetAsync(string projectId, string contextId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAsync(connection, null, projectId, contextId, cancellationToken);
    }

    public async Task<ContextPage> ListAsync(string projectId, ContextQuery query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new StringBuilder("project_id = $project AND test = $test");
        command.Parameters.AddWithValue("$project", projectId);
        command.Parameters.AddWithValue("$test", query.Test);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        where.Append(query.Status switch
        {
            null => "",
            ContextStatus.Open => " AND status = 'open' AND stall_ts > $now",
            ContextStatus.Stalled => " AND status = 'open' AND stall_ts <= $now",
            _ => " AND status = $status",
        });
        command.Parameters.AddWithValue("$status", (object?)query.Status ?? DBNull.Value);
        if (query.Category is not null)
        {
            where.Append(" AND category = $category");
            command.Parameters.AddWithValue("$category", query.Category);
        }

        if (query.From is { } from)
        {
            where.Append(" AND last_ts >= $from");
            command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        }

        if (query.To is { } to)
        {
            where.Append(" AND first_ts < $to");
            command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        }

        if (query.TitleContains is not null)
        {
            // instr on lower-cased text: LIKE would treat % and _ in the search as wildcards.
            where.Append(" AND instr(lower(title), lower($title)) > 0");
            command.Parameters.AddWithValue("$title", query.TitleContains);
        }

        if (query.After is { } after)
        {
            where.Append(" AND (first_ts < $afterTs OR (first_ts = $afterTs AND context_id < $afterId))");
            command.Parameters.AddWithValue("$afterTs", after.FirstEventMs);
            command.Parameters.AddWithValue("$afterId", after.ContextId);
        }

        command.CommandText = $"SELECT {Columns} FROM contexts WHERE {where} ORDER BY first_ts DESC, context_id DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        return ContextPage.FromOverfetched(await command.ListAsync(Read, cancellationToken), query.Limit);
    }

    public async Task<IReadOnlyList<ContextRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken) =>
        await database.WriteAsync(async (connection, transaction) =>
        {
            using var claim = connection.Command(transaction, $"""
                UPDATE contexts SET claimed_until = $until
                WHERE (project_id, context_id) IN (
                    SELECT project_id, context_id FROM contexts
                    WHERE pending_ts <= $now AND (claimed_until IS NULL OR claimed_until <= $now)
                    ORDER BY pending_ts LIMIT $limit)
                RETURNING {Columns}
                """);
            claim.Set(("$now", now.ToUnixTimeMilliseconds()), ("$until", (now + lease).ToUnixTimeMilliseconds()), ("$limit", limit));
            return await claim.ListAsync(Read, cancellationToken);
        }, cancellationToken);

    public Task MarkAnnouncedAsync(string projectId, string contextId, string announcement, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            if (await ReadAsync(connection, transaction, projectId, contextId, cancellationToken) is { } record)
            {
                await SaveAsync(connection, transaction, record with { Announced = announcement, Version = record.Version + 1 }, releaseClaim: true, cancellationToken);
            }
        }, cancellationToken);

    public Task<int> DeleteInactiveAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var select = connection.Command(transaction, "SELECT project_id, context_id FROM contexts WHERE last_ts < $cutoff ORDER BY last_ts LIMIT $limit");
            select.Set(("$cutoff", cutoff.ToUnixTimeMilliseconds()), ("$limit", limit));
            var inactive = await select.ListAsync(reader => (Project: reader.GetString(0), Context: reader.GetString(1)), cancellationToken);

            using var delete = connection.Command(transaction,
                "DELETE FROM context_entries WHERE project_id = $project AND context_id = $context; DELETE FROM contexts WHERE project_id = $project AND context_id = $context;");
            foreach (var (project, context) in inactive)
            {
                delete.Set(("$project", project), ("$context", context));
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            return inactive.Count;
        }, cancellationToken);

    public async Task<int?> GetDefaultTimeoutAsync(string projectId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ProjectTimeoutAsync(connection, null, projectId, cancellationToken);
    }

    public Task SetDefaultTimeoutAsync(string projectId, int seconds, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using (var upsert = connection.Command(transaction, """
                INSERT INTO context_settings (project_id, default_timeout_s) VALUES ($project, $seconds)
                ON CONFLICT (project_id) DO UPDATE SET default_timeout_s = excluded.default_timeout_s
                """))
            {
                upsert.Set(("$project", projectId), ("$seconds", seconds));
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            List<ContextRecord> affected;
            using (var open = connection.Command(transaction,
                $"SELECT {Columns} FROM contexts WHERE project_id = $project AND status = 'open' AND own_timeout = 0"))
            {
                open.Set(("$project", projectId));
                affected = await open.ListAsync(Read, cancellationToken);
            }

            foreach (var record in affected)
            {
                await SaveAsync(connection, transaction, record with { TimeoutSeconds = seconds, Version = record.Version + 1 }, releaseClaim: false, cancellationToken);
            }
        }, cancellationToken);

    private static async Task<ContextRecord?> ReadAsync(SqliteConnection connection, SqliteTransaction? transaction, string projectId, string contextId, CancellationToken cancellationToken)
    {
        using var select = connection.Command(transaction, $"SELECT {Columns} FROM contexts WHERE project_id = $project AND context_id = $context");
        select.Set(("$project", projectId), ("$context", contextId));
        return await select.FirstOrDefaultAsync(Read, cancellationToken);
    }

    private static async Task<int?> ProjectTimeoutAsync(SqliteConnection connection, SqliteTransaction? transaction, string projectId, CancellationToken cancellationToken)
    {
        using var select = connection.Command(transaction, "SELECT default_timeout_s FROM context_settings WHERE project_id = $project");
        select.Set(("$project", projectId));
        return await select.ExecuteScalarAsync(cancellationToken) is long seconds ? (int)seconds : null;
    }

    private static async Task SaveAsync(SqliteConnection connection, SqliteTransaction transaction, ContextRecord record, bool releaseClaim, CancellationToken cancellationToken)
    {
        using var save = connection.Command(transaction, """
            INSERT INTO contexts (project_id, context_id, state, title, category, test, status, first_ts, last_ts, timeout_s, own_timeout,
                                  stall_ts, announced, pending_ts, claimed_until, version)
            VALUES ($project, $context, $state, $title, $category, $test, $status, $first, $last, $timeout, $ownTimeout,
                    $stall, $announced, $pending, NULL, $version)
            ON CONFLICT (project_id, context_id) DO UPDATE SET
                state = excluded.state, title = excluded.title, category = excluded.category, test = excluded.test,
                status = excluded.status, first_ts = excluded.first_ts, last_ts = excluded.last_ts, timeout_s = excluded.timeout_s,
                own_timeout = excluded.own_timeout, stall_ts = excluded.stall_ts, announced = excluded.announced,
                pending_ts = excluded.pending_ts, version = excluded.version,
                -- a claim survives new events: only the announcer that holds it releases it
                claimed_until = CASE WHEN $release THEN NULL ELSE claimed_until END
            """);
        var state = record.State;
        save.Set(
            ("$project", record.ProjectId), ("$context", record.ContextId), ("$state", ContextStateJson.Write(state)),
            ("$title", state.Title), ("$category", state.Category), ("$test", state.Test), ("$status", state.Status),
            ("$first", state.FirstEventAt.ToUnixTimeMilliseconds()), ("$last", state.LastEventAt.ToUnixTimeMilliseconds()),
            ("$timeout", record.TimeoutSeconds), ("$ownTimeout", state.TimeoutSeconds is not null),
            ("$stall", record.StallsAt.ToUnixTimeMilliseconds()), ("$announced", record.Announced),
            ("$pending", record.PendingAt?.ToUnixTimeMilliseconds()), ("$version", record.Version), ("$release", releaseClaim));
        await save.ExecuteNonQueryAsync(cancellationToken);
    }

    private static ContextRecord Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        ContextStateJson.Read(reader.GetString(2)),
        reader.GetInt32(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetInt64(5));
}
