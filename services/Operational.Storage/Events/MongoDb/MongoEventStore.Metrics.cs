using System.Globalization;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.ServiceDefaults.Statistics;
using Operational.Storage.Metrics;

namespace Operational.Storage.Events.MongoDb;

/// <summary>
/// Rollups in <c>metric_rollups</c>, folded as events are inserted (as the category counts and
/// users are): every part of a rollup adds up in place — <c>$inc</c> on the count, the sum and each
/// sketch bucket's count (a document of index → count), <c>$min</c>/<c>$max</c> — so concurrent
/// storage replicas need no coordination and the worker has nothing to fold afterwards. Only events
/// actually inserted count; a crash between the insert and the rollup loses that batch's values
/// from the rollups, never doubles them.
/// </summary>
public sealed partial class MongoEventStore : IMetricStore
{
    private IMongoCollection<RollupDocument> Rollups => database.GetCollection<RollupDocument>("metric_rollups");

    private async Task InitializeRollupsAsync(CancellationToken cancellationToken)
    {
        var keys = Builders<RollupDocument>.IndexKeys;
        await Rollups.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<RollupDocument>(keys.Ascending(r => r.ProjectId).Ascending(r => r.Name).Ascending(r => r.Field).Ascending(r => r.GroupKey)
                    .Ascending(r => r.Resolution).Ascending(r => r.GroupValue).Ascending(r => r.Bucket), new CreateIndexOptions { Name = "series" }),
                new CreateIndexModel<RollupDocument>(keys.Ascending(r => r.ProjectId).Ascending(r => r.Name).Ascending(r => r.Field).Ascending(r => r.GroupKey)
                    .Ascending(r => r.Resolution).Ascending(r => r.Bucket), new CreateIndexOptions { Name = "buckets" }),
            ],
            cancellationToken);
    }

    private async Task FoldRollupsAsync(IEnumerable<Contracts.Events.IngestedEvent> inserted, CancellationToken cancellationToken)
    {
        var contributions = new Dictionary<RollupKey, MetricAggregate>();
        var saved = await SavedMetricsForFoldingAsync(cancellationToken);
        foreach (var e in inserted)
        {
            RollupFolding.Fold(e, contributions, saved);
        }

        if (contributions.Count == 0)
        {
            return;
        }

        var updates = contributions.Select(c =>
        {
            var (key, value) = (c.Key, c.Value);
            var update = Builders<RollupDocument>.Update
                .SetOnInsert(r => r.ProjectId, key.ProjectId).SetOnInsert(r => r.Name, key.Name).SetOnInsert(r => r.Field, key.Field)
                .SetOnInsert(r => r.GroupKey, key.GroupKey).SetOnInsert(r => r.GroupValue, key.GroupValue)
                .SetOnInsert(r => r.Resolution, key.Resolution.Code()).SetOnInsert(r => r.Bucket, key.BucketStart)
                .Inc(r => r.Count, value.Count).Inc(r => r.Sum, value.Sum).Min(r => r.Min, value.Min).Max(r => r.Max, value.Max)
                .Inc(r => r.Zeros, value.Sketch.Zeros);
            foreach (var (index, count) in value.Sketch.PositiveBuckets)
            {
                update = update.Inc($"pos.{index.ToString(CultureInfo.InvariantCulture)}", count);
            }

            foreach (var (index, count) in value.Sketch.NegativeBuckets)
            {
                update = update.Inc($"neg.{index.ToString(CultureInfo.InvariantCulture)}", count);
            }

            return new UpdateOneModel<RollupDocument>(Builders<RollupDocument>.Filter.Eq(r => r.Key, RollupDocument.KeyOf(key)), update) { IsUpsert = true };
        }).ToList();
        await Rollups.BulkWriteAsync(updates, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
    }

    public async Task<IReadOnlyList<(string Group, long Count)>> RankGroupsAsync(SeriesSelector series, Resolution resolution, long from, long to, int top, CancellationToken cancellationToken)
    {
        var ranked = await Rollups.Aggregate()
            .Match(Series(series, resolution, from, to))
            .Group(r => r.GroupValue, g => new { Group = g.Key, Count = g.Sum(r => r.Count) })
            .SortByDescending(g => g.Count).ThenBy(g => g.Group)
            .Limit(top)
            .ToListAsync(cancellationToken);
        return ranked.Select(g => (g.Group, g.Count)).ToList();
    }

    public async Task<IReadOnlyList<RollupRow>> ReadSeriesAsync(SeriesSelector series, string groupValue, Resolution resolution, long from, long to, CancellationToken cancellationToken)
    {
        var documents = await Rollups.Find(Series(series, resolution, from, to) & Builders<RollupDocument>.Filter.Eq(r => r.GroupValue, groupValue))
            .SortBy(r => r.Bucket).ToListAsync(cancellationToken);
        return documents.Select(d => new RollupRow(d.GroupValue, d.Bucket, MetricAggregate.From(d.Count, d.Sum, d.Min, d.Max,
            DDSketch.FromBuckets(Buckets(d.Positive), Buckets(d.Negative), d.Zeros)))).ToList();
    }

    public async Task<IReadOnlyList<(string Name, string Field, string GroupKey)>> CatalogAsync(string projectId, long since, CancellationToken cancellationToken)
    {
        var f = Builders<RollupDocument>.Filter;
        var found = await Rollups.Aggregate()
            .Match(f.Eq(r => r.ProjectId, projectId) & f.Eq(r => r.Resolution, Resolution.Day.Code()) & f.Gte(r => r.Bucket, since)
                   & f.Not(f.Regex(r => r.Name, new MongoDB.Bson.BsonRegularExpression("^\u0001")))) // not saved metrics' series
            .Group(r => new { r.Name, r.Field, r.GroupKey }, g => new { g.Key.Name, g.Key.Field, g.Key.GroupKey })
            .Limit(1000)
            .ToListAsync(cancellationToken);
        return found.Select(g => (g.Name, g.Field, g.GroupKey)).OrderBy(g => g.Name).ThenBy(g => g.Field).ThenBy(g => g.GroupKey).ToList();
    }

    public async Task<int> DeleteRollupsBeforeAsync(Resolution resolution, long before, CancellationToken cancellationToken) =>
        (int)(await Rollups.DeleteManyAsync(r => r.Resolution == resolution.Code() && r.Bucket < before, cancellationToken)).DeletedCount;

    private static FilterDefinition<RollupDocument> Series(SeriesSelector series, Resolution resolution, long from, long to)
    {
        var f = Builders<RollupDocument>.Filter;
        return f.Eq(r => r.ProjectId, series.ProjectId) & f.Eq(r => r.Name, series.Name) & f.Eq(r => r.Field, series.Field) & f.Eq(r => r.GroupKey, series.GroupKey)
               & f.Eq(r => r.Resolution, resolution.Code()) & f.Gte(r => r.Bucket, from) & f.Lt(r => r.Bucket, to);
    }

    private static IEnumerable<KeyValuePair<int, long>> Buckets(BsonDocument? counts) =>
        counts?.Select(e => KeyValuePair.Create(int.Parse(e.Name, CultureInfo.InvariantCulture), e.Value.ToInt64())) ?? [];

    internal sealed class RollupDocument
    {
        /// <summary>The rollup's identity as one string: a JSON array of its parts, so no part can run into another.</summary>
        public static string KeyOf(RollupKey key) =>
            JsonSerializer.Serialize(new object[] { key.ProjectId, key.Name, key.Field, key.GroupKey, key.GroupValue, key.Resolution.Code(), key.BucketStart });

        [BsonId] public string Key { get; set; } = "";
        [BsonElement("projectId")] public string ProjectId { get; set; } = "";
        [BsonElement("name")] public string Name { get; set; } = "";
        [BsonElement("field")] public string Field { get; set; } = "";
        [BsonElement("groupKey")] public string GroupKey { get; set; } = "";
        [BsonElement("groupValue")] public string GroupValue { get; set; } = "";
        [BsonElement("resolution")] public string Resolution { get; set; } = "";
        [BsonElement("bucket")] public long Bucket { get; set; }
        [BsonElement("n")] public long Count { get; set; }
        [BsonElement("sum")] public double Sum { get; set; }
        [BsonElement("min")] public double Min { get; set; }
        [BsonElement("max")] public double Max { get; set; }
        [BsonElement("zero")] public long Zeros { get; set; }
        [BsonElement("pos")] public BsonDocument? Positive { get; set; }
        [BsonElement("neg")] public BsonDocument? Negative { get; set; }
    }
}
