using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.ServiceDefaults.Statistics;
using Operational.Contracts.Alerts;
using Operational.Rules.Alerts;
using Operational.Rules.Definitions;
using Operational.Rules.Evaluation;
using Operational.ServiceDefaults.Storage;

namespace Operational.Rules.Storage.MongoDb;

/// <summary>
/// The rules service's MongoDB database, for replicas. Without multi-document transactions, what
/// must change together lives in one document: an alert carries its own queue of messages
/// (<c>pending</c>), pushed in the same update that opens, repeats or resolves it, and pulled by
/// the publisher once sent. One open alert per rule and group is a unique index over open alerts
/// only; counters are upserts that add one. It only saves: what changes and what is announced is
/// decided by <see cref="AlertLifecycle"/>.
/// </summary>
public sealed partial class MongoRulesStore(IMongoDatabase database) : IRulesStore
{
    private const string VersionId = "rules-version";

    private readonly IMongoCollection<RuleDocument> _rules = database.GetCollection<RuleDocument>("rules");
    private readonly IMongoCollection<BsonDocument> _meta = database.GetCollection<BsonDocument>("rules_meta");
    private readonly IMongoCollection<CountDocument> _counts = database.GetCollection<CountDocument>("rule_counts");
    private readonly IMongoCollection<ValueDocument> _values = database.GetCollection<ValueDocument>("rule_values");
    private readonly IMongoCollection<LastSeenDocument> _lastSeen = database.GetCollection<LastSeenDocument>("rule_last_seen");
    private readonly IMongoCollection<AlertDocument> _alerts = database.GetCollection<AlertDocument>("alerts");
    private readonly IMongoCollection<SilenceDocument> _silences = database.GetCollection<SilenceDocument>("silences");
    private readonly IMongoCollection<RunDocument> _runs = database.GetCollection<RunDocument>("rule_runs");
    private readonly IMongoCollection<RunEndingDocument> _endings = database.GetCollection<RunEndingDocument>("rule_run_endings");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _rules.Indexes.CreateOneAsync(new CreateIndexModel<RuleDocument>(
            Builders<RuleDocument>.IndexKeys.Ascending(r => r.ProjectId).Ascending(r => r.CreatedAt), new CreateIndexOptions { Name = "project" }), cancellationToken: cancellationToken);
        await _counts.Indexes.CreateOneAsync(new CreateIndexModel<CountDocument>(
            Builders<CountDocument>.IndexKeys.Ascending(c => c.RuleId).Ascending(c => c.Group).Ascending(c => c.Bucket),
            new CreateIndexOptions { Name = "bucket", Unique = true }), cancellationToken: cancellationToken);
        await _lastSeen.Indexes.CreateOneAsync(new CreateIndexModel<LastSeenDocument>(
            Builders<LastSeenDocument>.IndexKeys.Ascending(l => l.RuleId).Ascending(l => l.Group),
            new CreateIndexOptions { Name = "rule_group", Unique = true }), cancellationToken: cancellationToken);
        var alertKeys = Builders<AlertDocument>.IndexKeys;
        await _alerts.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<AlertDocument>(alertKeys.Ascending(a => a.RuleId).Ascending(a => a.Group),
                    new CreateIndexOptions<AlertDocument> { Name = "one_open", Unique = true, PartialFilterExpression = Builders<AlertDocument>.Filter.Eq(a => a.Status, AlertStatus.Open) }),
                new CreateIndexModel<AlertDocument>(alertKeys.Ascending(a => a.ProjectId).Descending(a => a.TriggeredAt).Descending(a => a.Id),
                    new CreateIndexOptions { Name = "list" }),
                new CreateIndexModel<AlertDocument>(alertKeys.Ascending(a => a.HasPending),
                    new CreateIndexOptions<AlertDocument> { Name = "pending", PartialFilterExpression = Builders<AlertDocument>.Filter.Eq(a => a.HasPending, true) }),
            ],
            cancellationToken);
        var runKeys = Builders<RunDocument>.IndexKeys;
        await _runs.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<RunDocument>(runKeys.Ascending(r => r.RuleId).Ascending(r => r.ContextId), new CreateIndexOptions { Name = "rule_context", Unique = true }),
                new CreateIndexModel<RunDocument>(runKeys.Ascending(r => r.ProjectId).Ascending(r => r.ContextId), new CreateIndexOptions { Name = "context" }),
                new CreateIndexModel<RunDocument>(runKeys.Ascending(r => r.RuleId).Ascending(r => r.Deadline), new CreateIndexOptions { Name = "deadline" }),
            ],
            cancellationToken);
        await _endings.Indexes.CreateOneAsync(new CreateIndexModel<RunEndingDocument>(
            Builders<RunEndingDocument>.IndexKeys.Ascending(e => e.RememberedAt),
            new CreateIndexOptions { Name = "expiry", ExpireAfter = IRuleRunStore.RememberEndings }), cancellationToken: cancellationToken);
        await InitializeCheckRunsAsync(cancellationToken);
        await _silences.Indexes.CreateOneAsync(new CreateIndexModel<SilenceDocument>(
            Builders<SilenceDocument>.IndexKeys.Ascending(s => s.ProjectId).Ascending(s => s.EndsAt), new CreateIndexOptions { Name = "project" }), cancellationToken: cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<Rule?> GetRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken) =>
        (await _rules.Find(r => r.Id == ruleId && r.ProjectId == projectId).FirstOrDefaultAsync(cancellationToken))?.ToRule();

    public async Task<IReadOnlyList<Rule>> ListRulesAsync(string projectId, CancellationToken cancellationToken) =>
        (await _rules.Find(r => r.ProjectId == projectId).SortBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(cancellationToken)).Select(r => r.ToRule()).ToList();

    public async Task<IReadOnlyList<Rule>> AllRulesAsync(CancellationToken cancellationToken) =>
        (await _rules.Find(FilterDefinition<RuleDocument>.Empty).ToListAsync(cancellationToken)).Select(r => r.ToRule()).ToList();

    public async Task SaveRuleAsync(Rule rule, CancellationToken cancellationToken)
    {
        await _rules.ReplaceOneAsync(r => r.Id == rule.Id, RuleDocument.From(rule), new ReplaceOptions { IsUpsert = true }, cancellationToken);
        await BumpVersionAsync(cancellationToken);
    }

    public async Task<bool> DeleteRuleAsync(string projectId, string ruleId, CancellationToken cancellationToken)
    {
        var deleted = await _rules.DeleteOneAsync(r => r.Id == ruleId && r.ProjectId == projectId, cancellationToken);
        if (deleted.DeletedCount == 0)
        {
            return false;
        }

        await BumpVersionAsync(cancellationToken);
        await _counts.DeleteManyAsync(c => c.RuleId == ruleId || c.RuleId == CompiledRule.RateCounter(ruleId), cancellationToken);
        await _values.DeleteManyAsync(v => v.RuleId == ruleId, cancellationToken);
        await _lastSeen.DeleteManyAsync(l => l.RuleId == ruleId, cancellationToken);
        await _runs.DeleteManyAsync(r => r.RuleId == ruleId, cancellationToken);
        await DeleteCheckRunsAsync(ruleId, cancellationToken);
        await DeleteHistoryAsync(ruleId, cancellationToken);
        return true;
    }

    public async Task<long> RulesVersionAsync(CancellationToken cancellationToken)
    {
        var meta = await _meta.Find(Builders<BsonDocument>.Filter.Eq("_id", VersionId)).FirstOrDefaultAsync(cancellationToken);
        return meta?["v"].ToInt64() ?? 0;
    }

    public async Task CountAsync(IReadOnlyList<RuleHit> hits, CancellationToken cancellationToken)
    {
        if (hits.Count == 0)
        {
            return;
        }

        // A counter remembers the events it counted in the same document it counts in, so that
        // "not counted yet" is part of one atomic update's filter.
        foreach (var counter in hits
                     .DistinctBy(h => (h.RuleId, h.EventId))
                     .GroupBy(h => (h.RuleId, Group: RulesJson.GroupKey(h.Group), Bucket: h.BucketStart.ToUnixTimeMilliseconds())))
        {
            var counted = await CountOnceAsync(counter.Key.RuleId, counter.Key.Group, counter.Key.Bucket, counter.Select(h => h.EventId).ToList(), cancellationToken);
            var values = counter.Where(h => h.Value is not null && counted.Contains(h.EventId)).ToList();
            if (values.Count > 0)
            {
                // After the count, not atomically with it: a crash between the two loses these values, never doubles them.
                var added = new MetricAggregate();
                foreach (var hit in values)
                {
                    added.Add(hit.Value!.Value);
                }

                await MergeValuesAsync(counter.Key.RuleId, counter.Key.Group, counter.Key.Bucket, added, cancellationToken);
            }
        }

        foreach (var latest in hits.GroupBy(h => (h.RuleId, Group: RulesJson.GroupKey(h.Group))).Select(g => g.MaxBy(h => h.Timestamp)!))
        {
            var ts = latest.Timestamp.ToUnixTimeMilliseconds();
            var filter = Builders<LastSeenDocument>.Filter;
            try
            {
                // Only a later event replaces the last seen; an earlier one finds no match and its
                // upsert collides with the unique index, which means "keep what is there".
                await _lastSeen.UpdateOneAsync(
                    filter.Eq(l => l.RuleId, latest.RuleId) & filter.Eq(l => l.Group, RulesJson.GroupKey(latest.Group)) & filter.Lte(l => l.Timestamp, ts),
                    Builders<LastSeenDocument>.Update.Set(l => l.EventId, latest.EventId).Set(l => l.EventName, latest.EventName).Set(l => l.Timestamp, ts),
                    new UpdateOptions { IsUpsert = true },
                    cancellationToken);
            }
            catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
            {
            }
        }
    }

    public async Task<long> SumAsync(string ruleId, string? group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var key = RulesJson.GroupKey(group);
        long fromMs = from.ToUnixTimeMilliseconds(), toMs = to.ToUnixTimeMilliseconds();
        var counts = await _counts.Find(c => c.RuleId == ruleId && c.Group == key && c.Bucket >= fromMs && c.Bucket < toMs)
            .Project(c => c.Count)
            .ToListAsync(cancellationToken);
        return counts.Sum();
    }

    public async Task<IReadOnlyList<string>> GroupsSeenAsync(string ruleId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var sinceMs = since.ToUnixTimeMilliseconds();
        var groups = await _counts.DistinctAsync(c => c.Group, c => c.RuleId == ruleId && c.Bucket >= sinceMs && c.Group != "", cancellationToken: cancellationToken);
        return await groups.ToListAsync(cancellationToken);
    }

    public async Task<LastSeen?> LastSeenAsync(string ruleId, string? group, CancellationToken cancellationToken)
    {
        var key = RulesJson.GroupKey(group);
        var last = await _lastSeen.Find(l => l.RuleId == ruleId && l.Group == key).FirstOrDefaultAsync(cancellationToken);
        return last is null ? null : new LastSeen(last.EventId, last.EventName, DateTimeOffset.FromUnixTimeMilliseconds(last.Timestamp));
    }

    public async Task PruneCountsAsync(IReadOnlyList<(string RuleId, DateTimeOffset Before)> cutoffs, CancellationToken cancellationToken)
    {
        if (cutoffs.Count == 0)
        {
            return;
        }

        var deletes = cutoffs.Select(c =>
        {
            var before = c.Before.ToUnixTimeMilliseconds();
            return new DeleteManyModel<CountDocument>(Builders<CountDocument>.Filter.Where(d => d.RuleId == c.RuleId && d.Bucket < before));
        }).ToList();
        await _counts.BulkWriteAsync(deletes, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
        await _values.BulkWriteAsync(cutoffs.Select(c =>
        {
            var before = c.Before.ToUnixTimeMilliseconds();
            return new DeleteManyModel<ValueDocument>(Builders<ValueDocument>.Filter.Where(d => d.RuleId == c.RuleId && d.Bucket < before));
        }), new BulkWriteOptions { IsOrdered = false }, cancellationToken);
    }

    public async Task<IReadOnlyList<EndedRun>> StartRunsAsync(IReadOnlyList<RuleRun> runs, CancellationToken cancellationToken)
    {
        var ended = new List<EndedRun>();
        foreach (var run in runs)
        {
            if (await EndingOfAsync(run, cancellationToken) is { } before)
            {
                ended.Add(new EndedRun(run, before));
                continue;
            }

            try
            {
                await _runs.InsertOneAsync(RunDocument.From(run), cancellationToken: cancellationToken);
            }
            catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
            {
                // Watched already: the first start stands.
                continue;
            }

            // An ending may have been remembered between the read and the insert: whoever deletes the run settles it.
            if (await EndingOfAsync(run, cancellationToken) is { } meanwhile
                && await _runs.FindOneAndDeleteAsync(r => r.RuleId == run.RuleId && r.ContextId == run.ContextId && r.ProjectId == run.ProjectId, cancellationToken: cancellationToken) is not null)
            {
                ended.Add(new EndedRun(run, meanwhile));
            }
        }

        return ended;
    }

    public async Task<IReadOnlyList<RuleRun>> EndRunsAsync(ContextEnding ending, bool remember, CancellationToken cancellationToken)
    {
        var ended = await TakeRunsAsync(ending, cancellationToken);
        if (ended.Count == 0 && remember)
        {
            var id = RunEndingDocument.IdOf(ending.ProjectId, ending.ContextId);
            await _endings.UpdateOneAsync(e => e.Id == id,
                Builders<RunEndingDocument>.Update
                    .SetOnInsert(e => e.ProjectId, ending.ProjectId)
                    .SetOnInsert(e => e.ContextId, ending.ContextId)
                    .Max(e => e.Failed, ending.Failed)
                    .Max(e => e.LastEventAt, ending.LastEventAt.ToUnixTimeMilliseconds())
                    .Set(e => e.RememberedAt, DateTime.UtcNow),
                new UpdateOptions { IsUpsert = true }, cancellationToken);
            // A start may have inserted its run between the delete and the upsert.
            ended = await TakeRunsAsync(ending, cancellationToken);
        }

        return ended;
    }

    private async Task<List<RuleRun>> TakeRunsAsync(ContextEnding ending, CancellationToken cancellationToken)
    {
        var ended = new List<RuleRun>();
        // One at a time, each removed by the replica that returns it, so two replicas never both end the same run.
        while (await _runs.FindOneAndDeleteAsync(r => r.ProjectId == ending.ProjectId && r.ContextId == ending.ContextId, cancellationToken: cancellationToken) is { } run)
        {
            ended.Add(run.ToRun());
        }

        return ended;
    }

    private async Task<ContextEnding?> EndingOfAsync(RuleRun run, CancellationToken cancellationToken)
    {
        var id = RunEndingDocument.IdOf(run.ProjectId, run.ContextId);
        var found = await _endings.Find(e => e.Id == id).FirstOrDefaultAsync(cancellationToken);
        return found?.ToEnding() is { } ending && ending.Ends(run) ? ending : null;
    }

    public async Task<IReadOnlyList<RuleRun>> OverdueRunsAsync(string ruleId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        return (await _runs.Find(r => r.RuleId == ruleId && r.Deadline < nowMs).ToListAsync(cancellationToken)).Select(r => r.ToRun()).ToList();
    }

    public async Task<bool> AddAsync(AlertChange change, CancellationToken cancellationToken)
    {
        try
        {
            await _alerts.InsertOneAsync(AlertDocument.From(change), cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return false; // the same id (a redelivered event), or an alert is open for this rule and group already
        }
    }

    public async Task<AlertRecord?> GetAlertAsync(string? projectId, string alertId, CancellationToken cancellationToken) =>
        (await _alerts.Find(a => a.Id == alertId && (projectId == null || a.ProjectId == projectId)).FirstOrDefaultAsync(cancellationToken))?.ToRecord();

    public async Task<bool> UpdateAsync(string alertId, Func<AlertRecord, AlertChange?> decide, CancellationToken cancellationToken)
    {
        // No transaction: the update applies only if the alert is as it was read, else read and decide again.
        for (var attempt = 1; ; attempt++)
        {
            if (await _alerts.Find(a => a.Id == alertId).FirstOrDefaultAsync(cancellationToken) is not { } read || decide(read.ToRecord()) is not { } change)
            {
                return false;
            }

            var next = change.Record;
            var update = Builders<AlertDocument>.Update
                .Set(a => a.Status, next.Status)
                .Set(a => a.Notified, next.Notified)
                .Set(a => a.NotifiedAt, next.LastNotifiedAt.ToUnixTimeMilliseconds())
                .Set(a => a.ResolvedAt, next.ResolvedAt?.ToUnixTimeMilliseconds())
                .Set(a => a.Resolution, next.Resolution is null ? null : RulesJson.Write(next.Resolution))
                .Set(a => a.Handling, AlertDocument.HandlingOf(next));
            if (change.Messages.Count > 0)
            {
                update = update.PushEach(a => a.Pending, change.Messages.Select(Pending.Of)).Set(a => a.HasPending, true);
            }

            var result = await _alerts.UpdateOneAsync(
                a => a.Id == alertId && a.Status == read.Status && a.Notified == read.Notified && a.NotifiedAt == read.NotifiedAt && a.Handling == read.Handling,
                update,
                cancellationToken: cancellationToken);
            if (result.ModifiedCount == 1)
            {
                return true;
            }

            if (attempt == 5)
            {
                throw new InvalidOperationException($"Alert {alertId} kept changing while it was updated; giving up after {attempt} attempts.");
            }
        }
    }

    public async Task<IReadOnlyList<AlertRecord>> OpenAlertsAsync(string ruleId, CancellationToken cancellationToken) =>
        (await _alerts.Find(a => a.RuleId == ruleId && a.Status == AlertStatus.Open).ToListAsync(cancellationToken)).Select(a => a.ToRecord()).ToList();

    public async Task<IReadOnlyList<string>> RulesWithOpenAlertsAsync(CancellationToken cancellationToken) =>
        await (await _alerts.DistinctAsync(a => a.RuleId, a => a.Status == AlertStatus.Open, cancellationToken: cancellationToken)).ToListAsync(cancellationToken);

    public async Task<AlertPage> ListAlertsAsync(string projectId, string? status, string? ruleId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var filter = Builders<AlertDocument>.Filter;
        var where = filter.Eq(a => a.ProjectId, projectId);
        if (status is not null)
        {
            where &= filter.Eq(a => a.Status, status);
        }

        if (ruleId is not null)
        {
            where &= filter.Eq(a => a.RuleId, ruleId);
        }

        if (AlertCursor.TryDecode(cursor, out var afterMs, out var afterId))
        {
            where &= filter.Lt(a => a.TriggeredAt, afterMs) | (filter.Eq(a => a.TriggeredAt, afterMs) & filter.Lt(a => a.Id, afterId));
        }

        var alerts = await _alerts.Find(where).SortByDescending(a => a.TriggeredAt).ThenByDescending(a => a.Id).Limit(limit + 1).ToListAsync(cancellationToken);
        return AlertCursor.Page(alerts.Select(a => a.ToRecord()).ToList(), limit);
    }

    public async Task<IReadOnlyList<OutboxMessage>> PendingMessagesAsync(int limit, CancellationToken cancellationToken)
    {
        var alerts = await _alerts.Find(a => a.HasPending).Limit(limit).ToListAsync(cancellationToken);
        return alerts
            .SelectMany(a => a.Pending.Select(p => new OutboxMessage($"{a.Id}\n{p.Id}", RulesJson.ReadMessage(p.Type, p.Payload))))
            .Take(limit)
            .ToList();
    }

    public async Task RemoveMessagesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        foreach (var byAlert in ids.Select(id => id.Split('\n', 2)).GroupBy(parts => parts[0], parts => parts[1]))
        {
            var sent = byAlert.ToList();
            await _alerts.UpdateOneAsync(a => a.Id == byAlert.Key,
                Builders<AlertDocument>.Update.PullFilter(a => a.Pending, p => sent.Contains(p.Id)), cancellationToken: cancellationToken);
            await _alerts.UpdateOneAsync(a => a.Id == byAlert.Key && a.Pending.Count == 0,
                Builders<AlertDocument>.Update.Set(a => a.HasPending, false), cancellationToken: cancellationToken);
        }
    }

    public Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken) =>
        _silences.InsertOneAsync(SilenceDocument.From(silence), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<Silence>> SilencesAsync(string projectId, bool activeOnly, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var found = await _silences.Find(s => s.ProjectId == projectId && (!activeOnly || s.EndsAt > nowMs))
            .SortByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
            .ToListAsync(cancellationToken);
        return found.Select(s => s.ToSilence()).ToList();
    }

    public async Task<bool> EndSilenceAsync(string projectId, string silenceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var ended = await _silences.UpdateOneAsync(s => s.Id == silenceId && s.ProjectId == projectId && s.EndsAt > nowMs,
            Builders<SilenceDocument>.Update.Set(s => s.EndsAt, nowMs), cancellationToken: cancellationToken);
        return ended.ModifiedCount == 1;
    }

    private Task BumpVersionAsync(CancellationToken cancellationToken) =>
        _meta.UpdateOneAsync(Builders<BsonDocument>.Filter.Eq("_id", VersionId), Builders<BsonDocument>.Update.Inc("v", 1L),
            new UpdateOptions { IsUpsert = true }, cancellationToken);

    /// <summary>
    /// Two replicas upserting the same new counter: one inserts, the other collides with the unique
    /// index and its increment did not apply. Unordered, so only the collided ones are sent again
    /// (now as updates of the existing counter); the others were applied once and must not be again.
    /// </summary>
    /// <summary>
    /// Adds the events not yet in the counter. The update's filter requires none of them to be
    /// there; when it matches nothing, its upsert inserts the counter, or collides with the unique
    /// (rule, group, bucket) index because the counter exists and holds some of them (or another
    /// replica inserted it a moment ago). Then the ones it holds are dropped and the rest tried again.
    /// </summary>
    /// <summary>Counts the events not counted before; returns the ones it counted.</summary>
    private async Task<HashSet<string>> CountOnceAsync(string ruleId, string group, long bucket, List<string> eventIds, CancellationToken cancellationToken)
    {
        var filter = Builders<CountDocument>.Filter;
        var counter = filter.Eq(c => c.RuleId, ruleId) & filter.Eq(c => c.Group, group) & filter.Eq(c => c.Bucket, bucket);
        for (var attempt = 1; eventIds.Count > 0; attempt++)
        {
            try
            {
                await _counts.UpdateOneAsync(
                    counter & filter.Nin("events", eventIds),
                    Builders<CountDocument>.Update.Inc(c => c.Count, eventIds.Count).PushEach(c => c.Events, eventIds, slice: -RememberedEventsPerCounter),
                    new UpdateOptions { IsUpsert = true },
                    cancellationToken);
                return [.. eventIds];
            }
            catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey && attempt < 10)
            {
                var counted = await _counts.Find(counter).Project(c => c.Events).FirstOrDefaultAsync(cancellationToken) ?? [];
                eventIds = eventIds.Except(counted).ToList();
            }
        }

        return [];
    }

    /// <summary>Merges values into their bucket's aggregate: read, merge, and write only if no one wrote in between.</summary>
    private async Task MergeValuesAsync(string ruleId, string group, long bucket, MetricAggregate added, CancellationToken cancellationToken)
    {
        var key = $"{ruleId}/{group}/{bucket}";
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var current = await _values.Find(v => v.Key == key).FirstOrDefaultAsync(cancellationToken);
            var merged = added;
            if (current is not null)
            {
                merged = MetricAggregate.From(current.Count, current.Sum, current.Min, current.Max, current.Sketch);
                merged.Merge(added);
            }

            var document = new ValueDocument
            {
                Key = key, RuleId = ruleId, Group = group, Bucket = bucket, Count = merged.Count, Sum = merged.Sum, Min = merged.Min, Max = merged.Max,
                Sketch = merged.Sketch.ToBytes(), Version = (current?.Version ?? 0) + 1,
            };
            try
            {
                if (current is null)
                {
                    await _values.InsertOneAsync(document, cancellationToken: cancellationToken);
                    return;
                }

                if ((await _values.ReplaceOneAsync(v => v.Key == key && v.Version == current.Version, document, cancellationToken: cancellationToken)).ModifiedCount == 1)
                {
                    return;
                }
            }
            catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
            {
            }
        }

        throw new InvalidOperationException($"The values of rule {ruleId} changed under every attempt to add to them.");
    }

    public async Task<MetricAggregate> AggregateAsync(string ruleId, string? group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var key = RulesJson.GroupKey(group);
        long fromMs = from.ToUnixTimeMilliseconds(), toMs = to.ToUnixTimeMilliseconds();
        var total = new MetricAggregate();
        foreach (var v in await _values.Find(v => v.RuleId == ruleId && v.Group == key && v.Bucket >= fromMs && v.Bucket < toMs).ToListAsync(cancellationToken))
        {
            total.Merge(MetricAggregate.From(v.Count, v.Sum, v.Min, v.Max, v.Sketch));
        }

        return total;
    }

    private sealed class ValueDocument
    {
        [BsonId] public required string Key { get; init; }

        [BsonElement("r")] public required string RuleId { get; init; }

        [BsonElement("g")] public required string Group { get; init; }

        [BsonElement("b")] public long Bucket { get; init; }

        [BsonElement("n")] public long Count { get; init; }

        [BsonElement("sum")] public double Sum { get; init; }

        [BsonElement("min")] public double Min { get; init; }

        [BsonElement("max")] public double Max { get; init; }

        [BsonElement("sketch")] public required byte[] Sketch { get; init; }

        [BsonElement("v")] public long Version { get; init; }
    }

    /// <summary>Events a counter remembers; an event comes again within seconds or minutes (a redelivery, an app's resend), long before this many others.</summary>
    private const int RememberedEventsPerCounter = 5000;

    private sealed class RuleDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("definition")] public required string Definition { get; init; }

        [BsonElement("createdAt")] public long CreatedAt { get; init; }

        [BsonElement("updatedAt")] public long UpdatedAt { get; init; }

        public static RuleDocument From(Rule rule) => new()
        {
            Id = rule.Id,
            ProjectId = rule.ProjectId,
            Definition = RulesJson.Write(rule.Definition),
            CreatedAt = rule.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAt = rule.UpdatedAt.ToUnixTimeMilliseconds(),
        };

        public Rule ToRule() => new(Id, ProjectId, RulesJson.ReadDefinition(Definition),
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt));
    }

    private sealed class CountDocument
    {
        [BsonId] public ObjectId Id { get; init; }

        [BsonElement("r")] public required string RuleId { get; init; }

        [BsonElement("g")] public required string Group { get; init; }

        [BsonElement("b")] public long Bucket { get; init; }

        [BsonElement("n")] public long Count { get; init; }

        [BsonElement("events")] public List<string>? Events { get; init; }
    }

    private sealed class LastSeenDocument
    {
        [BsonId] public ObjectId Id { get; init; }

        [BsonElement("r")] public required string RuleId { get; init; }

        [BsonElement("g")] public required string Group { get; init; }

        [BsonElement("e")] public required string EventId { get; init; }

        [BsonElement("name")] public required string EventName { get; init; }

        [BsonElement("ts")] public long Timestamp { get; init; }
    }

    private sealed class Pending
    {
        [BsonElement("id")] public required string Id { get; init; }

        [BsonElement("type")] public required string Type { get; init; }

        [BsonElement("payload")] public required string Payload { get; init; }

        public static Pending Of(object message)
        {
            var (type, payload) = RulesJson.WriteMessage(message);
            return new Pending { Id = Guid.NewGuid().ToString("N"), Type = type, Payload = payload };
        }
    }

    private sealed class AlertDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("r")] public required string RuleId { get; init; }

        [BsonElement("g")] public required string Group { get; init; }

        [BsonElement("status")] public required string Status { get; init; }

        [BsonElement("triggeredAt")] public long TriggeredAt { get; init; }

        [BsonElement("notified")] public bool Notified { get; init; }

        [BsonElement("notifiedAt")] public long NotifiedAt { get; init; }

        [BsonElement("resolvedAt")] public long? ResolvedAt { get; init; }

        [BsonElement("snapshot")] public required string Snapshot { get; init; }

        [BsonElement("resolution")] public string? Resolution { get; init; }

        /// <summary>Acknowledgement, escalation and suppression (<see cref="AlertHandling"/>) as JSON; null while there is none.</summary>
        [BsonElement("handling")] public string? Handling { get; init; }

        [BsonElement("pending")] public List<Pending> Pending { get; init; } = [];

        public static string? HandlingOf(AlertRecord record) => record.Handling is null or { Escalated: 0, AcknowledgedAt: null, SuppressedBy: null } ? null : RulesJson.Write(record.Handling);

        [BsonElement("hasPending")] public bool HasPending { get; init; }

        public static AlertDocument From(AlertChange change)
        {
            var (alert, record) = (change.Record.Alert, change.Record);
            return new AlertDocument
            {
                Id = alert.AlertId,
                ProjectId = alert.ProjectId,
                RuleId = alert.RuleId,
                Group = RulesJson.GroupKey(alert.Group),
                Status = record.Status,
                TriggeredAt = alert.TriggeredAt.ToUnixTimeMilliseconds(),
                Notified = record.Notified,
                NotifiedAt = record.LastNotifiedAt.ToUnixTimeMilliseconds(),
                ResolvedAt = record.ResolvedAt?.ToUnixTimeMilliseconds(),
                Snapshot = RulesJson.Write(alert),
                Resolution = record.Resolution is null ? null : RulesJson.Write(record.Resolution),
                Handling = HandlingOf(record),
                Pending = change.Messages.Select(MongoRulesStore.Pending.Of).ToList(),
                HasPending = change.Messages.Count > 0,
            };
        }

        public AlertRecord ToRecord() => new(
            RulesJson.Read<AlertSnapshot>(Snapshot),
            Status,
            Notified,
            DateTimeOffset.FromUnixTimeMilliseconds(NotifiedAt),
            ResolvedAt is { } resolved ? DateTimeOffset.FromUnixTimeMilliseconds(resolved) : null,
            Resolution is null ? null : RulesJson.Read<AlertEvidence>(Resolution),
            Handling is null ? null : RulesJson.Read<AlertHandling>(Handling));
    }

    private sealed class RunEndingDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("c")] public required string ContextId { get; init; }

        [BsonElement("failed")] public bool Failed { get; init; }

        [BsonElement("lastEventAt")] public long LastEventAt { get; init; }

        /// <summary>A BSON date, for the TTL index that forgets the ending after a day.</summary>
        [BsonElement("rememberedAt")] public DateTime RememberedAt { get; init; }

        public static string IdOf(string projectId, string contextId) => projectId + "\n" + contextId;

        public ContextEnding ToEnding() => new(ProjectId, ContextId, Failed, DateTimeOffset.FromUnixTimeMilliseconds(LastEventAt));
    }

    private sealed class RunDocument
    {
        [BsonId] public ObjectId Id { get; init; }

        [BsonElement("r")] public required string RuleId { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("c")] public required string ContextId { get; init; }

        [BsonElement("startedAt")] public long StartedAt { get; init; }

        [BsonElement("deadline")] public long Deadline { get; init; }

        public static RunDocument From(RuleRun run) => new()
        {
            RuleId = run.RuleId,
            ProjectId = run.ProjectId,
            ContextId = run.ContextId,
            StartedAt = run.StartedAt.ToUnixTimeMilliseconds(),
            Deadline = run.Deadline.ToUnixTimeMilliseconds(),
        };

        public RuleRun ToRun() => new(RuleId, ProjectId, ContextId, DateTimeOffset.FromUnixTimeMilliseconds(StartedAt), DateTimeOffset.FromUnixTimeMilliseconds(Deadline));
    }

    private sealed class SilenceDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("r")] public string? RuleId { get; init; }

        [BsonElement("g")] public string? Group { get; init; }

        [BsonElement("startsAt")] public long StartsAt { get; init; }

        [BsonElement("endsAt")] public long EndsAt { get; init; }

        [BsonElement("comment")] public required string Comment { get; init; }

        [BsonElement("createdAt")] public long CreatedAt { get; init; }

        [BsonElement("cron")] public string? Cron { get; init; }

        [BsonElement("tz")] public string? TimeZone { get; init; }

        [BsonElement("duration")] public int? DurationSeconds { get; init; }

        [BsonElement("tag")] public string? Tag { get; init; }

        public static SilenceDocument From(Silence s) => new()
        {
            Id = s.Id,
            ProjectId = s.ProjectId,
            RuleId = s.RuleId,
            Group = s.Group,
            StartsAt = s.StartsAt.ToUnixTimeMilliseconds(),
            EndsAt = s.EndsAt.ToUnixTimeMilliseconds(),
            Comment = s.Comment,
            CreatedAt = s.CreatedAt.ToUnixTimeMilliseconds(),
            Cron = s.Cron,
            TimeZone = s.TimeZone,
            DurationSeconds = s.DurationSeconds,
            Tag = s.Tag,
        };

        public Silence ToSilence() => new(Id, ProjectId, RuleId, Group, DateTimeOffset.FromUnixTimeMilliseconds(StartsAt),
            DateTimeOffset.FromUnixTimeMilliseconds(EndsAt), Comment, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), Cron, TimeZone, DurationSeconds, Tag);
    }
}
