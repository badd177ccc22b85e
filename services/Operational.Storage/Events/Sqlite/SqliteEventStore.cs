using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Storage;
using Operational.Storage.Insights;
using Operational.Storage.Metrics;
using Operational.Storage.Users;

namespace Operational.Storage.Events.Sqlite;

/// <summary>
/// Events in one SQLite file. Writes go through <see cref="SqliteDatabase.WriteAsync{T}"/> (serialized
/// in-process, immediate transactions) and each batch is one transaction, which also maintains the tag pairs, the full-text index and the category
/// counts. Reads run concurrently thanks to WAL.
/// </summary>
public sealed partial class SqliteEventStore(SqliteDatabase database) : IEventStore, IUserStore, IInsightStore
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
        """
        ALTER TABLE events ADD COLUMN type TEXT NOT NULL DEFAULT 'text';
        ALTER TABLE events ADD COLUMN context_id TEXT;
        ALTER TABLE events ADD COLUMN context_start INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN actions TEXT;
        ALTER TABLE events ADD COLUMN notify INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN test INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN user_id TEXT;
        ALTER TABLE events ADD COLUMN tags TEXT;
        ALTER TABLE events ADD COLUMN level TEXT NOT NULL DEFAULT 'info';
        ALTER TABLE events ADD COLUMN backfilled INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN warnings TEXT;
        DROP INDEX ix_events_project_time;
        CREATE INDEX ix_events_feed ON events (project_id, test, ts DESC, id DESC);
        CREATE INDEX ix_events_category ON events (project_id, test, category, ts DESC, id DESC) WHERE category IS NOT NULL;
        CREATE INDEX ix_events_name ON events (project_id, test, name, ts DESC, id DESC);
        CREATE INDEX ix_events_context ON events (project_id, context_id, ts DESC, id DESC) WHERE context_id IS NOT NULL;
        CREATE INDEX ix_events_user ON events (project_id, user_id, ts DESC, id DESC) WHERE user_id IS NOT NULL;
        CREATE TABLE event_tags (
            project_id TEXT NOT NULL,
            pair TEXT NOT NULL,
            ts INTEGER NOT NULL,
            event_seq INTEGER NOT NULL,
            PRIMARY KEY (project_id, pair, ts, event_seq)
        ) WITHOUT ROWID;
        CREATE INDEX ix_event_tags_event ON event_tags (event_seq);
        CREATE VIRTUAL TABLE events_fts USING fts5 (text, content = '', contentless_delete = 1, detail = none, tokenize = 'unicode61 remove_diacritics 2');
        INSERT INTO events_fts (rowid, text) SELECT seq, name FROM events;
        CREATE TABLE categories (
            project_id TEXT NOT NULL,
            test INTEGER NOT NULL,
            category TEXT NOT NULL,
            count INTEGER NOT NULL,
            last_ts INTEGER NOT NULL,
            PRIMARY KEY (project_id, test, category)
        ) WITHOUT ROWID;
        INSERT INTO categories SELECT project_id, test, category, COUNT(*), MAX(ts) FROM events WHERE category IS NOT NULL GROUP BY project_id, test, category;
        """,
        """
        CREATE INDEX ix_events_expiry ON events (test, ts);
        CREATE TABLE retention (
            project_id TEXT PRIMARY KEY,
            live_days INTEGER NOT NULL,
            test_days INTEGER NOT NULL
        );
        """,
        """
        ALTER TABLE events ADD COLUMN context_end INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN context_timeout INTEGER;
        """,
        """
        CREATE TABLE users (
            project_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            first_seen INTEGER,
            last_seen INTEGER,
            event_count INTEGER NOT NULL DEFAULT 0,
            properties TEXT NOT NULL DEFAULT '{}',
            groups TEXT NOT NULL DEFAULT '[]',
            identified_at INTEGER,
            PRIMARY KEY (project_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_users_seen ON users (project_id, COALESCE(last_seen, 0) DESC, user_id);
        INSERT INTO users (project_id, user_id, first_seen, last_seen, event_count)
            SELECT project_id, user_id, MIN(ts), MAX(ts), COUNT(*) FROM events WHERE user_id IS NOT NULL AND test = 0 GROUP BY project_id, user_id;
        CREATE TABLE user_groups (
            project_id TEXT NOT NULL,
            group_id TEXT NOT NULL,
            properties TEXT NOT NULL DEFAULT '{}',
            members INTEGER NOT NULL DEFAULT 0,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, group_id)
        ) WITHOUT ROWID;
        CREATE TABLE insights (
            project_id TEXT NOT NULL,
            title TEXT NOT NULL,
            value TEXT NOT NULL,
            icon TEXT,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, title)
        ) WITHOUT ROWID;
        CREATE TABLE insight_history (
            seq INTEGER PRIMARY KEY,
            project_id TEXT NOT NULL,
            title TEXT NOT NULL,
            ts INTEGER NOT NULL,
            value TEXT NOT NULL
        );
        CREATE INDEX ix_insight_history ON insight_history (project_id, title, seq DESC);
        """,
        RollupMigration,
        SavedMetricMigration,
        MetricQueueMigration,
    ];

    private const string Columns =
        "id, project_id, name, avatar, category, content, ts, received_at, type, context_id, context_start, actions, notify, test, user_id, tags, level, backfilled, warnings, context_end, context_timeout";

    private static readonly string PrefixedColumns = string.Join(", ", Columns.Split(", ").Select(c => "e." + c));

    public SqliteDatabase Database => database;

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public async Task<int> AppendAsync(IReadOnlyList<IngestedEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return 0;
        }

        return await database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.Command(transaction, $"""
                INSERT INTO events ({Columns})
                VALUES ($id, $project, $name, $avatar, $category, $content, $ts, $received, $type, $context, $contextStart,
                        $actions, $notify, $test, $user, $tags, $level, $backfilled, $warnings, $contextEnd, $contextTimeout)
                ON CONFLICT (project_id, id) DO NOTHING
                """);
            await using var tag = connection.Command(transaction,
                "INSERT OR IGNORE INTO event_tags (project_id, pair, ts, event_seq) VALUES ($project, $pair, $ts, $seq)");
            // The batch's search texts go in as one statement, after the rest: FTS5 writes its pending terms
            // to disk at every statement savepoint, so row by row (between inserts that open a statement
            // journal) it wrote a tiny segment per event and spent its time merging them.
            await using var search = connection.Command(transaction, "INSERT INTO events_fts (rowid, text) SELECT value ->> 0, value ->> 1 FROM json_each($rows)");
            var searchable = new List<(long Seq, string Text)>(events.Count);
            await using var measured = connection.Command(transaction, "INSERT INTO metric_queue (seq) VALUES ($seq)");
            await using var category = connection.Command(transaction, """
                INSERT INTO categories (project_id, test, category, count, last_ts) VALUES ($project, $test, $category, 1, $ts)
                ON CONFLICT (project_id, test, category) DO UPDATE SET count = count + 1, last_ts = MAX(last_ts, excluded.last_ts)
                """);

            await using var user = connection.Command(transaction, """
                INSERT INTO users (project_id, user_id, first_seen, last_seen, event_count) VALUES ($project, $user, $ts, $ts, 1)
                ON CONFLICT (project_id, user_id) DO UPDATE SET
                    first_seen = MIN(COALESCE(first_seen, excluded.first_seen), excluded.first_seen),
                    last_seen = MAX(COALESCE(last_seen, excluded.last_seen), excluded.last_seen),
                    event_count = event_count + 1
                """);

            var added = 0;
            foreach (var e in events)
            {
                Bind(insert, e);
                // Not RETURNING: it makes every insert open a statement journal (a savepoint), which costs
                // a copy of each page it changes; the new rowid is the connection's last one.
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    continue; // already stored
                }

                var seq = SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);

                added++;
                foreach (var pair in StoredEventJson.TagPairs(e))
                {
                    tag.Set(("$project", e.ProjectId), ("$pair", pair), ("$ts", e.Timestamp.ToUnixTimeMilliseconds()), ("$seq", seq));
                    await tag.ExecuteNonQueryAsync(cancellationToken);
                }

                searchable.Add((seq, StoredEventJson.SearchText(e)));

                if (RollupFolding.Measures(e))
                {
                    measured.Set(("$seq", seq));
                    await measured.ExecuteNonQueryAsync(cancellationToken);
                }

                if (e.Category is not null)
                {
                    category.Set(("$project", e.ProjectId), ("$test", e.Test), ("$category", e.Category), ("$ts", e.Timestamp.ToUnixTimeMilliseconds()));
                    await category.ExecuteNonQueryAsync(cancellationToken);
                }

                if (e.UserId is not null && !e.Test)
                {
                    // Only a newly stored event counts, so a redelivered batch cannot count twice.
                    user.Set(("$project", e.ProjectId), ("$user", e.UserId), ("$ts", e.Timestamp.ToUnixTimeMilliseconds()));
                    await user.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            if (searchable.Count > 0)
            {
                search.Set(("$rows", SearchRows(searchable)));
                await search.ExecuteNonQueryAsync(cancellationToken);
            }

            return added;
        }, cancellationToken);
    }

    /// <summary><c>[[seq, text], …]</c> for <c>json_each</c>.</summary>
    private static string SearchRows(List<(long Seq, string Text)> rows)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(rows.Count * 64);
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var (seq, text) in rows)
            {
                json.WriteStartArray();
                json.WriteNumberValue(seq);
                json.WriteStringValue(text);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public Task<IngestedEvent?> GetAsync(string projectId, string id, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync($"SELECT {Columns} FROM events WHERE project_id = $project AND id = $id", Read, cancellationToken,
            ("$project", projectId), ("$id", id));

    /// <summary>
    /// One statement per query, driven by the index that yields rows already in the wanted order,
    /// so LIMIT stops the scan early however many rows match: the feed and filter indexes for
    /// plain queries, the tag table's (project, pair, ts) key for a tag, and the full-text index
    /// walked newest-stored first for a search (checking each candidate with a rowid lookup is far
    /// cheaper than collecting every match of a common word).
    /// </summary>
    public async Task<EventPage> ListAsync(string projectId, EventQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new StringBuilder("e.project_id = $project AND e.test = $test");
        command.Parameters.AddWithValue("$project", projectId);
        command.Parameters.AddWithValue("$test", query.Test);
        void Filter(string column, string parameter, object? value)
        {
            if (value is not null)
            {
                where.Append(CultureInfo.InvariantCulture, $" AND e.{column} = {parameter}");
                command.Parameters.AddWithValue(parameter, value);
            }
        }

        Filter("category", "$category", query.Category);
        Filter("name", "$name", query.Name);
        Filter("context_id", "$context", query.ContextId);
        Filter("user_id", "$user", query.UserId);
        Filter("level", "$level", query.Level);
        if (query.From is { } from)
        {
            where.Append(" AND e.ts >= $from");
            command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        }

        if (query.To is { } to)
        {
            where.Append(" AND e.ts < $to");
            command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        }

        var search = query.Words is { Count: > 0 };
        string source, order;
        if (search)
        {
            source = "events_fts f CROSS JOIN events e ON e.seq = f.rowid";
            where.Insert(0, "f.events_fts MATCH $match AND ");
            command.Parameters.AddWithValue("$match", FtsQuery(query.Words!));
            order = "f.rowid DESC";
            if (query.Tag is not null)
            {
                where.Append(" AND e.seq IN (SELECT event_seq FROM event_tags WHERE project_id = $project AND pair = $tag)");
                command.Parameters.AddWithValue("$tag", query.Tag);
            }

            if (query.After?.StoragePosition is { } position)
            {
                where.Append(" AND f.rowid < $afterSeq");
                command.Parameters.AddWithValue("$afterSeq", position);
            }
        }
        else
        {
            if (query.Tag is not null)
            {
                source = "event_tags t CROSS JOIN events e ON e.seq = t.event_seq";
                where.Append(" AND t.project_id = $project AND t.pair = $tag");
                command.Parameters.AddWithValue("$tag", query.Tag);
                order = "t.ts DESC, e.id DESC";
                if (query.After is { StoragePosition: null })
                {
                    where.Append(" AND t.ts <= $afterTs"); // lets the tag key seek; the exact cut follows
                }
            }
            else
            {
                source = "events e";
                order = "e.ts DESC, e.id DESC";
            }

            if (query.After is { StoragePosition: null } cursor)
            {
                where.Append(" AND (e.ts, e.id) < ($afterTs, $afterId)");
                command.Parameters.AddWithValue("$afterTs", cursor.TimestampMs);
                command.Parameters.AddWithValue("$afterId", cursor.Id);
            }
        }

        command.CommandText = $"SELECT {PrefixedColumns}, e.seq FROM {source} WHERE {where} ORDER BY {order} LIMIT $limit";
        command.Parameters.AddWithValue("$limit", query.Limit + 1);

        var rows = await command.ListAsync(reader => new PositionedEvent(reader.GetInt64(21), Read(reader)), cancellationToken);
        var events = rows.Select(r => r.Event).ToList();
        if (!search)
        {
            return EventPage.FromOverfetched(events, query.Limit);
        }

        var more = events.Count > query.Limit;
        if (more)
        {
            events.RemoveAt(events.Count - 1);
        }

        return new EventPage(events, more ? EventCursor.AfterPosition(rows[query.Limit - 1].Position) : null);
    }

    /// <summary>Writes are serialized and committed in order, so positions appear without gaps.</summary>
    public long LiveFeedOverlap => 0;

    public async Task<IReadOnlyList<PositionedEvent>> ReadStoredAfterAsync(
        string projectId, long afterPosition, int limit, IReadOnlyCollection<long> skip, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Walk the rowid range after the position (recent rows, few) rather than any project index.
        // With no overlap the feed never skips anything; the clause is there for the contract's sake.
        var skipping = skip.Count > 0 ? " AND seq NOT IN (SELECT value FROM json_each($skip))" : "";
        command.CommandText = $"SELECT {Columns}, seq FROM events WHERE seq > $after AND +project_id = $project{skipping} ORDER BY seq LIMIT $limit";
        if (skip.Count > 0)
        {
            command.Parameters.AddWithValue("$skip", System.Text.Json.JsonSerializer.Serialize(skip));
        }

        command.Parameters.AddWithValue("$project", projectId);
        command.Parameters.AddWithValue("$after", afterPosition);
        command.Parameters.AddWithValue("$limit", limit);
        return await command.ListAsync(reader => new PositionedEvent(reader.GetInt64(21), Read(reader)), cancellationToken);
    }

    /// <summary>The newest position of all projects: a stream starting "now" needs no more, and it is one b-tree seek.</summary>
    public async Task<long> LatestPositionAsync(string projectId, CancellationToken cancellationToken) =>
        (long)(await database.ScalarAsync("SELECT COALESCE(MAX(seq), 0) FROM events", cancellationToken))!;

    public async Task<int> DeleteExpiredAsync(RetentionCutoffs defaults, IReadOnlyDictionary<string, RetentionCutoffs> overrides, int limit, CancellationToken cancellationToken)
    {
        return await database.WriteAsync(async (connection, transaction) =>
        {
            await using var expired = connection.Command(transaction, "");
            string Expired(int index, RetentionCutoffs cutoffs)
            {
                expired.Parameters.AddWithValue($"$live{index}", cutoffs.Live.ToUnixTimeMilliseconds());
                expired.Parameters.AddWithValue($"$test{index}", cutoffs.Test.ToUnixTimeMilliseconds());
                return $"((test = 0 AND ts < $live{index}) OR (test = 1 AND ts < $test{index}))";
            }

            // The defaults apply to every project without its own policy; those get theirs.
            var clauses = new List<string> { Expired(0, defaults) };
            if (overrides.Count > 0)
            {
                clauses[0] = $"({clauses[0]} AND project_id NOT IN (SELECT value FROM json_each($overridden)))";
                expired.Parameters.AddWithValue("$overridden", System.Text.Json.JsonSerializer.Serialize(overrides.Keys));
                var index = 1;
                foreach (var (project, cutoffs) in overrides)
                {
                    expired.Parameters.AddWithValue($"$project{index}", project);
                    clauses.Add($"(project_id = $project{index} AND {Expired(index, cutoffs)})");
                    index++;
                }
            }

            var where = string.Join(" OR ", clauses);
            expired.CommandText = $"SELECT seq, project_id, category, test FROM events WHERE {where} LIMIT $limit";
            expired.Parameters.AddWithValue("$limit", limit);
            var rows = await expired.ListAsync(reader => (Seq: reader.GetInt64(0), Project: reader.GetString(1), Category: reader.GetStringOrNull(2), Test: reader.GetBoolean(3)),
                cancellationToken);

            if (rows.Count == 0)
            {
                return 0;
            }

            var seqs = System.Text.Json.JsonSerializer.Serialize(rows.Select(r => r.Seq));
            foreach (var sql in (string[])
                [
                    "DELETE FROM event_tags WHERE event_seq IN (SELECT value FROM json_each($seqs))",
                    "DELETE FROM events_fts WHERE rowid IN (SELECT value FROM json_each($seqs))",
                    "DELETE FROM events WHERE seq IN (SELECT value FROM json_each($seqs))",
                ])
            {
                await using var delete = connection.Command(transaction, sql);
                delete.Parameters.AddWithValue("$seqs", seqs);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var uncount = connection.Command(transaction,
                "UPDATE categories SET count = MAX(count - $n, 0) WHERE project_id = $project AND test = $test AND category = $category");
            foreach (var group in rows.Where(r => r.Category is not null).GroupBy(r => (r.Project, r.Test, r.Category)))
            {
                uncount.Set(("$n", group.Count()), ("$project", group.Key.Project), ("$test", group.Key.Test), ("$category", group.Key.Category));
                await uncount.ExecuteNonQueryAsync(cancellationToken);
            }

            return rows.Count;
        }, cancellationToken);
    }

    public async Task<RetentionPolicy?> GetRetentionAsync(string projectId, CancellationToken cancellationToken) =>
        (await RetentionAsync("WHERE project_id = $project", projectId, cancellationToken)).Values.SingleOrDefault();

    public async Task<IReadOnlyDictionary<string, RetentionPolicy>> RetentionOverridesAsync(CancellationToken cancellationToken) =>
        await RetentionAsync("", null, cancellationToken);

    public async Task SetRetentionAsync(string projectId, RetentionPolicy policy, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO retention (project_id, live_days, test_days) VALUES ($project, $live, $test)
            ON CONFLICT (project_id) DO UPDATE SET live_days = excluded.live_days, test_days = excluded.test_days
            """;
        command.Parameters.AddWithValue("$project", projectId);
        command.Parameters.AddWithValue("$live", policy.LiveDays);
        command.Parameters.AddWithValue("$test", policy.TestDays);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<Dictionary<string, RetentionPolicy>> RetentionAsync(string where, string? projectId, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync($"SELECT project_id, live_days, test_days FROM retention {where}",
            reader => (Project: reader.GetString(0), Policy: new RetentionPolicy(reader.GetInt32(1), reader.GetInt32(2))), cancellationToken,
            ("$project", projectId));
        return rows.ToDictionary(r => r.Project, r => r.Policy, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<CategoryCount>> CategoriesAsync(string projectId, bool test, CancellationToken cancellationToken) =>
        await database.QueryAsync("""
            SELECT category, count, last_ts FROM categories
            WHERE project_id = $project AND test = $test AND count > 0
            ORDER BY last_ts DESC, category
            """,
            reader => new CategoryCount(reader.GetString(0), reader.GetInt64(1), reader.GetTime(2)), cancellationToken,
            ("$project", projectId), ("$test", test));

    public async Task<IReadOnlyList<VolumeCount>> VolumeAsync(
        string projectId, bool test, VolumeKey by, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, CancellationToken cancellationToken)
    {
        var key = by == VolumeKey.Category ? "coalesce(category, '')" : "name";
        return await database.QueryAsync($$"""
            SELECT (ts - $from) / $bucket AS b, {{key}} AS k, count(*) FROM events
            WHERE project_id = $project AND test = $test AND ts >= $from AND ts < $to
            GROUP BY b, k
            """,
            reader => new VolumeCount(reader.GetString(1), reader.GetInt32(0), reader.GetInt64(2)), cancellationToken,
            ("$project", projectId), ("$test", test), ("$from", from.ToUnixTimeMilliseconds()),
            ("$to", to.ToUnixTimeMilliseconds()), ("$bucket", (long)bucket.TotalMilliseconds));
    }

    /// <summary>Every word must occur (whole words: the index keeps no prefixes, which would cost every write).</summary>
    private static string FtsQuery(IReadOnlyList<string> words) =>
        string.Join(' ', words.Select(w => "\"" + w.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    private static void Bind(SqliteCommand insert, IngestedEvent e) => insert.Set(
        ("$id", e.Id),
        ("$project", e.ProjectId),
        ("$name", e.Name),
        ("$avatar", e.Avatar),
        ("$category", e.Category),
        ("$content", e.Content?.GetRawText()),
        ("$ts", e.Timestamp.ToUnixTimeMilliseconds()),
        ("$received", e.ReceivedAt.ToUnixTimeMilliseconds()),
        ("$type", e.Type),
        ("$context", e.ContextId),
        ("$contextStart", e.ContextStart),
        ("$actions", StoredEventJson.Serialize(e.Actions)),
        ("$notify", e.Notify),
        ("$test", e.Test),
        ("$user", e.UserId),
        ("$tags", StoredEventJson.Serialize(e.Tags)),
        ("$level", e.Level),
        ("$backfilled", e.Backfilled),
        ("$warnings", StoredEventJson.Serialize(e.Warnings)),
        ("$contextEnd", e.ContextEnd),
        ("$contextTimeout", e.ContextTimeout));

    private static IngestedEvent Read(SqliteDataReader reader) => new(
        Id: reader.GetString(0),
        ProjectId: reader.GetString(1),
        Name: reader.GetString(2),
        Avatar: reader.GetStringOrNull(3),
        Category: reader.GetStringOrNull(4),
        Content: reader.GetStringOrNull(5) is { } content ? StoredEventJson.ParseContent(content) : null,
        Timestamp: reader.GetTime(6),
        ReceivedAt: reader.GetTime(7))
    {
        Type = reader.GetString(8),
        ContextId = reader.GetStringOrNull(9),
        ContextStart = reader.GetBoolean(10),
        Actions = StoredEventJson.Deserialize<List<EventAction>>(reader.GetStringOrNull(11)),
        Notify = reader.GetBoolean(12),
        Test = reader.GetBoolean(13),
        UserId = reader.GetStringOrNull(14),
        Tags = StoredEventJson.Deserialize<Dictionary<string, System.Text.Json.JsonElement>>(reader.GetStringOrNull(15)),
        Level = reader.GetString(16),
        Backfilled = reader.GetBoolean(17),
        Warnings = StoredEventJson.Deserialize<List<EventWarning>>(reader.GetStringOrNull(18)),
        ContextEnd = reader.GetBoolean(19),
        ContextTimeout = reader.IsDBNull(20) ? null : reader.GetInt32(20),
    };
}
