using Operational.ServiceDefaults.Statistics;
using Microsoft.Data.Sqlite;
using Operational.ServiceDefaults.Storage;
using Operational.Storage.Metrics;

namespace Operational.Storage.Events.Sqlite;

/// <summary>
/// Rollups in the events' file. The primary key leads with the group, so a group's series is one
/// range; a covering index by bucket ranks groups without touching the sketches.
/// </summary>
public sealed partial class SqliteEventStore : IMetricStore, IRollupFolding
{
    private const string RollupMigration = """
        CREATE TABLE metric_rollups (
            project_id TEXT NOT NULL,
            name TEXT NOT NULL,
            field TEXT NOT NULL,
            group_key TEXT NOT NULL,
            resolution TEXT NOT NULL,
            group_value TEXT NOT NULL,
            bucket INTEGER NOT NULL,
            count INTEGER NOT NULL,
            sum REAL NOT NULL,
            min REAL NOT NULL,
            max REAL NOT NULL,
            sketch BLOB NOT NULL,
            PRIMARY KEY (project_id, name, field, group_key, resolution, group_value, bucket)
        ) WITHOUT ROWID;
        CREATE INDEX ix_metric_rollups_bucket ON metric_rollups (project_id, name, field, group_key, resolution, bucket, group_value, count);
        CREATE TABLE metric_progress (id INTEGER PRIMARY KEY CHECK (id = 1), folded_position INTEGER NOT NULL);
        INSERT INTO metric_progress VALUES (1, 0);
        """;

    public async Task<long> FoldedPositionAsync(CancellationToken cancellationToken) =>
        (long)(await database.ScalarAsync("SELECT folded_position FROM metric_progress WHERE id = 1", cancellationToken))!;

    /// <summary>
    /// The events with a numeric tag, queued by <see cref="AppendAsync"/> in the transaction that
    /// stored them: the only ones folding can use, so an event without numbers costs it nothing.
    /// </summary>
    private const string MetricQueueMigration = """
        CREATE TABLE metric_queue (seq INTEGER PRIMARY KEY);
        INSERT INTO metric_queue SELECT seq FROM events WHERE seq > (SELECT folded_position FROM metric_progress);
        """;

    public async Task<IReadOnlyList<PositionedEvent>> ReadForFoldingAsync(long afterPosition, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The queue's order is the order of storing; each event is one rowid lookup.
        command.CommandText = $"SELECT {PrefixedColumns}, e.seq FROM metric_queue q CROSS JOIN events e ON e.seq = q.seq WHERE q.seq > $after ORDER BY q.seq LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterPosition);
        command.Parameters.AddWithValue("$limit", limit);
        return await command.ListAsync(reader => new PositionedEvent(reader.GetInt64(21), Read(reader)), cancellationToken);
    }

    public Task<bool> SaveRollupsAsync(IReadOnlyDictionary<RollupKey, MetricAggregate> contributions, long fromPosition, long toPosition, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var progress = connection.Command(transaction, "UPDATE metric_progress SET folded_position = $to WHERE id = 1 AND folded_position = $from");
            progress.Set(("$from", fromPosition), ("$to", toPosition));
            if (await progress.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false; // folded meanwhile: these values are in already
            }

            // Up to the position: queued events deleted by retention before they were folded go too.
            await using var dequeue = connection.Command(transaction, "DELETE FROM metric_queue WHERE seq <= $to");
            dequeue.Set(("$to", toPosition));
            await dequeue.ExecuteNonQueryAsync(cancellationToken);

            await SqliteAggregates.MergeAsync(connection, transaction, "metric_rollups", ["project_id", "name", "field", "group_key", "resolution", "group_value", "bucket"],
                contributions.Select(c => ((object?[])[c.Key.ProjectId, c.Key.Name, c.Key.Field, c.Key.GroupKey, c.Key.Resolution.Code(), c.Key.GroupValue, c.Key.BucketStart], c.Value)),
                cancellationToken);
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<(string Group, long Count)>> RankGroupsAsync(SeriesSelector series, Resolution resolution, long from, long to, int top, CancellationToken cancellationToken) =>
        await database.QueryAsync("""
            SELECT group_value, SUM(count) AS n FROM metric_rollups
            WHERE project_id = $project AND name = $name AND field = $field AND group_key = $key AND resolution = $resolution AND bucket >= $from AND bucket < $to
            GROUP BY group_value ORDER BY n DESC, group_value LIMIT $top
            """, r => (r.GetString(0), r.GetInt64(1)), cancellationToken,
            ("$project", series.ProjectId), ("$name", series.Name), ("$field", series.Field), ("$key", series.GroupKey),
            ("$resolution", resolution.Code()), ("$from", from), ("$to", to), ("$top", top));

    public async Task<IReadOnlyList<RollupRow>> ReadSeriesAsync(SeriesSelector series, string groupValue, Resolution resolution, long from, long to, CancellationToken cancellationToken) =>
        await database.QueryAsync($"""
            SELECT group_value, bucket, {SqliteAggregates.Columns} FROM metric_rollups
            WHERE project_id = $project AND name = $name AND field = $field AND group_key = $key AND resolution = $resolution AND group_value = $value
              AND bucket >= $from AND bucket < $to
            ORDER BY bucket
            """, r => new RollupRow(r.GetString(0), r.GetInt64(1), SqliteAggregates.Read(r, 2)),
            cancellationToken,
            ("$project", series.ProjectId), ("$name", series.Name), ("$field", series.Field), ("$key", series.GroupKey),
            ("$resolution", resolution.Code()), ("$value", groupValue), ("$from", from), ("$to", to));

    public async Task<IReadOnlyList<(string Name, string Field, string GroupKey)>> CatalogAsync(string projectId, long since, CancellationToken cancellationToken) =>
        await database.QueryAsync("""
            SELECT DISTINCT name, field, group_key FROM metric_rollups
            WHERE project_id = $project AND resolution = 'd' AND bucket >= $since AND substr(name, 1, 1) <> char(1) -- not saved metrics' series
            ORDER BY name, field, group_key LIMIT 1000
            """, r => (r.GetString(0), r.GetString(1), r.GetString(2)), cancellationToken, ("$project", projectId), ("$since", since));

    public Task<int> DeleteRollupsBeforeAsync(Resolution resolution, long before, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var delete = connection.Command(transaction, "DELETE FROM metric_rollups WHERE resolution = $resolution AND bucket < $before");
            delete.Set(("$resolution", resolution.Code()), ("$before", before));
            return await delete.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
