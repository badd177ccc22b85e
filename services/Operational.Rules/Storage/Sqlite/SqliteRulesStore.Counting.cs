using Microsoft.Data.Sqlite;
using Operational.Rules.Evaluation;
using Operational.ServiceDefaults.Statistics;
using Operational.ServiceDefaults.Storage;

namespace Operational.Rules.Storage.Sqlite;

/// <summary>The counters of the rules' windows, their last seen events, and the runs heartbeat rules watch.</summary>
public sealed partial class SqliteRulesStore
{
    /// <summary>How long a counted event is remembered, before the latest one counted (not the clock: a process down for days still knows what it counted before).</summary>
    private static readonly long RememberEventsMs = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    public Task CountAsync(IReadOnlyList<RuleHit> hits, CancellationToken cancellationToken) =>
        hits.Count == 0 ? Task.CompletedTask : database.WriteAsync(async (connection, transaction) =>
        {
            // In the same transaction as the counts: an event is either counted and remembered, or neither.
            using var remember = connection.Command(transaction,
                "INSERT INTO rule_counted_events (project_id, event_id, counted_at) VALUES ($project, $event, $at) ON CONFLICT DO NOTHING");
            var fresh = new HashSet<(string, string)>();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            foreach (var key in hits.Select(h => (h.ProjectId, h.EventId)).Distinct())
            {
                remember.Set(("$project", key.ProjectId), ("$event", key.EventId), ("$at", now));
                if (await remember.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    fresh.Add(key);
                }
            }

            using var count = connection.Command(transaction, """
                INSERT INTO rule_counts (rule_id, grp, bucket, n) VALUES ($rule, $grp, $bucket, 1)
                ON CONFLICT (rule_id, grp, bucket) DO UPDATE SET n = n + 1
                """);
            using var last = connection.Command(transaction, """
                INSERT INTO rule_last_seen (rule_id, grp, event_id, event_name, ts) VALUES ($rule, $grp, $event, $name, $ts)
                ON CONFLICT (rule_id, grp) DO UPDATE SET event_id = excluded.event_id, event_name = excluded.event_name, ts = excluded.ts
                WHERE excluded.ts >= ts
                """);
            // Once per rule and event, also when the same event came twice in this call (two messages carrying it).
            var values = new Dictionary<(string Rule, string Group, long Bucket), MetricAggregate>();
            foreach (var hit in hits.Where(h => fresh.Contains((h.ProjectId, h.EventId))).DistinctBy(h => (h.RuleId, h.ProjectId, h.EventId)))
            {
                if (hit.Value is { } value)
                {
                    var key = (hit.RuleId, RulesJson.GroupKey(hit.Group), hit.BucketStart.ToUnixTimeMilliseconds());
                    if (!values.TryGetValue(key, out var aggregate))
                    {
                        values[key] = aggregate = new MetricAggregate();
                    }

                    aggregate.Add(value);
                }

                count.Set(("$rule", hit.RuleId), ("$grp", RulesJson.GroupKey(hit.Group)), ("$bucket", hit.BucketStart.ToUnixTimeMilliseconds()));
                await count.ExecuteNonQueryAsync(cancellationToken);
                last.Set(("$rule", hit.RuleId), ("$grp", RulesJson.GroupKey(hit.Group)), ("$event", hit.EventId), ("$name", hit.EventName),
                    ("$ts", hit.Timestamp.ToUnixTimeMilliseconds()));
                await last.ExecuteNonQueryAsync(cancellationToken);
            }

            if (values.Count > 0)
            {
                await SqliteAggregates.MergeAsync(connection, transaction, "rule_values", ["rule_id", "grp", "bucket"],
                    values.Select(v => ((object?[])[v.Key.Rule, v.Key.Group, v.Key.Bucket], v.Value)), cancellationToken);
            }
        }, cancellationToken);

    public async Task<MetricAggregate> AggregateAsync(string ruleId, string? group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync(
            $"SELECT {SqliteAggregates.Columns} FROM rule_values WHERE rule_id = $rule AND grp = $grp AND bucket >= $from AND bucket < $to",
            r => SqliteAggregates.Read(r), cancellationToken,
            ("$rule", ruleId), ("$grp", RulesJson.GroupKey(group)), ("$from", from.ToUnixTimeMilliseconds()), ("$to", to.ToUnixTimeMilliseconds()));
        var total = new MetricAggregate();
        foreach (var row in rows)
        {
            total.Merge(row);
        }

        return total;
    }

    public async Task<long> SumAsync(string ruleId, string? group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        (long)(await database.ScalarAsync("SELECT COALESCE(SUM(n), 0) FROM rule_counts WHERE rule_id = $rule AND grp = $grp AND bucket >= $from AND bucket < $to",
            cancellationToken,
            ("$rule", ruleId), ("$grp", RulesJson.GroupKey(group)), ("$from", from.ToUnixTimeMilliseconds()), ("$to", to.ToUnixTimeMilliseconds())))!;

    public async Task<IReadOnlyList<string>> GroupsSeenAsync(string ruleId, DateTimeOffset since, CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT DISTINCT grp FROM rule_counts WHERE rule_id = $rule AND bucket >= $since AND grp <> ''",
            reader => reader.GetString(0), cancellationToken, ("$rule", ruleId), ("$since", since.ToUnixTimeMilliseconds()));

    public Task<LastSeen?> LastSeenAsync(string ruleId, string? group, CancellationToken cancellationToken) =>
        database.QueryFirstOrDefaultAsync("SELECT event_id, event_name, ts FROM rule_last_seen WHERE rule_id = $rule AND grp = $grp",
            reader => new LastSeen(reader.GetString(0), reader.GetString(1), reader.GetTime(2)), cancellationToken,
            ("$rule", ruleId), ("$grp", RulesJson.GroupKey(group)));

    public Task PruneCountsAsync(IReadOnlyList<(string RuleId, DateTimeOffset Before)> cutoffs, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            using var prune = connection.Command(transaction, "DELETE FROM rule_counts WHERE rule_id = $rule AND bucket < $before; DELETE FROM rule_values WHERE rule_id = $rule AND bucket < $before");
            foreach (var (ruleId, before) in cutoffs)
            {
                prune.Set(("$rule", ruleId), ("$before", before.ToUnixTimeMilliseconds()));
                await prune.ExecuteNonQueryAsync(cancellationToken);
            }

            using var forget = connection.Command(transaction,
                "DELETE FROM rule_counted_events WHERE counted_at < (SELECT MAX(counted_at) FROM rule_counted_events) - $keep");
            forget.Set(("$keep", RememberEventsMs));
            await forget.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private const string RunColumns = "rule_id, project_id, context_id, started_at, deadline";

    public async Task<IReadOnlyList<EndedRun>> StartRunsAsync(IReadOnlyList<RuleRun> runs, CancellationToken cancellationToken) =>
        runs.Count == 0 ? [] : await database.WriteAsync<IReadOnlyList<EndedRun>>(async (connection, transaction) =>
        {
            // One transaction with the endings: an ending written after this read waits for the commit, then finds the run.
            using var ending = connection.Command(transaction,
                "SELECT failed, last_event_at FROM rule_run_endings WHERE project_id = $project AND context_id = $context");
            using var insert = connection.Command(transaction, $"""
                INSERT INTO rule_runs ({RunColumns}) VALUES ($rule, $project, $context, $started, $deadline)
                ON CONFLICT DO NOTHING
                """);
            var ended = new List<EndedRun>();
            foreach (var run in runs)
            {
                ending.Set(("$project", run.ProjectId), ("$context", run.ContextId));
                if (await ending.FirstOrDefaultAsync(r => new ContextEnding(run.ProjectId, run.ContextId, r.GetBoolean(0), r.GetTime(1)), cancellationToken) is { } found
                    && found.Ends(run))
                {
                    ended.Add(new EndedRun(run, found));
                    continue;
                }

                insert.Set(("$rule", run.RuleId), ("$context", run.ContextId), ("$project", run.ProjectId),
                    ("$started", run.StartedAt.ToUnixTimeMilliseconds()), ("$deadline", run.Deadline.ToUnixTimeMilliseconds()));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            return ended;
        }, cancellationToken);

    public async Task<IReadOnlyList<RuleRun>> EndRunsAsync(ContextEnding ending, bool remember, CancellationToken cancellationToken) =>
        await database.WriteAsync(async (connection, transaction) =>
        {
            using var delete = connection.Command(transaction, $"DELETE FROM rule_runs WHERE project_id = $project AND context_id = $context RETURNING {RunColumns}");
            delete.Set(("$project", ending.ProjectId), ("$context", ending.ContextId));
            var runs = await delete.ListAsync(ReadRun, cancellationToken);
            if (runs.Count == 0 && remember)
            {
                // A later announcement of the same context (a failure after its completion) keeps the worse outcome and the latest event.
                await connection.ExecuteAsync(transaction, """
                    INSERT INTO rule_run_endings (project_id, context_id, failed, last_event_at) VALUES ($project, $context, $failed, $at)
                    ON CONFLICT DO UPDATE SET failed = MAX(failed, excluded.failed), last_event_at = MAX(last_event_at, excluded.last_event_at);
                    DELETE FROM rule_run_endings WHERE last_event_at < $at - $keep;
                    """,
                    cancellationToken,
                    ("$project", ending.ProjectId), ("$context", ending.ContextId), ("$failed", ending.Failed), ("$at", ending.LastEventAt.ToUnixTimeMilliseconds()),
                    ("$keep", (long)IRuleRunStore.RememberEndings.TotalMilliseconds));
            }

            return (IReadOnlyList<RuleRun>)runs;
        }, cancellationToken);

    public async Task<IReadOnlyList<RuleRun>> OverdueRunsAsync(string ruleId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {RunColumns} FROM rule_runs WHERE rule_id = $rule AND deadline < $now", ReadRun, cancellationToken,
            ("$rule", ruleId), ("$now", now.ToUnixTimeMilliseconds()));

    private static RuleRun ReadRun(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetTime(3), reader.GetTime(4));
}
