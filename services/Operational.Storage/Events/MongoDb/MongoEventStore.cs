using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Storage;

namespace Operational.Storage.Events.MongoDb;

/// <summary>
/// Events in the <c>events</c> collection of the storage service's database. The document
/// id is <c>{projectId}/{eventId}</c>, so idempotency rests on the always-present unique
/// <c>_id</c> index rather than on an index that might still be building. Category counts
/// live in <c>categories</c>, incremented only for events that were actually inserted.
/// </summary>
public sealed partial class MongoEventStore(IMongoDatabase database) : IEventStore, Users.IUserStore, Insights.IInsightStore
{
    private readonly IMongoCollection<EventDocument> _events = database.GetCollection<EventDocument>("events");
    private readonly IMongoCollection<CategoryDocument> _categories = database.GetCollection<CategoryDocument>("categories");
    private readonly IMongoCollection<CounterDocument> _counters = database.GetCollection<CounterDocument>("counters");
    private readonly IMongoCollection<RetentionDocument> _retention = database.GetCollection<RetentionDocument>("retention");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var keys = Builders<EventDocument>.IndexKeys;
        CreateIndexModel<EventDocument> Index(string name, IndexKeysDefinition<EventDocument> definition) =>
            new(definition, new CreateIndexOptions { Name = name });
        IndexKeysDefinition<EventDocument> Feed(IndexKeysDefinition<EventDocument> definition) =>
            definition.Descending(e => e.Timestamp).Descending(e => e.EventId);

        await _events.Indexes.CreateManyAsync(
            [
                Index("feed", Feed(keys.Ascending(e => e.ProjectId).Ascending(e => e.Test))),
                Index("category", Feed(keys.Ascending(e => e.ProjectId).Ascending(e => e.Test).Ascending(e => e.Category))),
                Index("name", Feed(keys.Ascending(e => e.ProjectId).Ascending(e => e.Test).Ascending(e => e.Name))),
                Index("level", Feed(keys.Ascending(e => e.ProjectId).Ascending(e => e.Test).Ascending(e => e.Level))),
                Index("context", Feed(keys.Ascending(e => e.ProjectId).Ascending(e => e.ContextId))),
                Index("user", Feed(keys.Ascending(e => e.ProjectId).Ascending(e => e.UserId))),
                Index("tags", Feed(keys.Ascending(e => e.ProjectId).Ascending(e => e.TagPairs))),
                Index("search", keys.Ascending(e => e.ProjectId).Text(e => e.SearchText)),
                Index("stored", keys.Ascending(e => e.ProjectId).Ascending(e => e.Position)),
                Index("expiry", keys.Ascending(e => e.Test).Ascending(e => e.Timestamp)),
            ],
            cancellationToken);
        await InitializeUsersAndInsightsAsync(cancellationToken);
        await InitializeRollupsAsync(cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<int> AppendAsync(IReadOnlyList<IngestedEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return 0;
        }

        var documents = events.Select(EventDocument.From).ToList();
        var last = await AllocatePositionsAsync(documents.Count, cancellationToken);
        for (var i = 0; i < documents.Count; i++)
        {
            documents[i].Position = last - documents.Count + 1 + i;
        }

        var inserted = documents;
        IEnumerable<IngestedEvent> insertedEvents = events;
        try
        {
            await _events.InsertManyAsync(documents, new InsertManyOptions { IsOrdered = false }, cancellationToken);
        }
        catch (MongoBulkWriteException<EventDocument> e)
            when (e.WriteConcernError is null && e.WriteErrors.All(error => error.Category == ServerErrorCategory.DuplicateKey))
        {
            // Unordered: every non-duplicate was inserted; the duplicates were stored earlier.
            var duplicates = e.WriteErrors.Select(error => error.Index).ToHashSet();
            inserted = documents.Where((_, index) => !duplicates.Contains(index)).ToList();
            insertedEvents = events.Where((_, index) => !duplicates.Contains(index));
        }

        await CountCategoriesAsync(inserted, cancellationToken);
        await CountUsersAsync(inserted, cancellationToken);
        await FoldRollupsAsync(insertedEvents, cancellationToken); // the events as received: no need to read the documents back
        return inserted.Count;
    }

    /// <summary>Reserves <paramref name="count"/> positions in one atomic increment; returns the last of them.</summary>
    private async Task<long> AllocatePositionsAsync(int count, CancellationToken cancellationToken)
    {
        var counter = await _counters.FindOneAndUpdateAsync(
            Builders<CounterDocument>.Filter.Eq(c => c.Id, "events"),
            Builders<CounterDocument>.Update.Inc(c => c.Value, count),
            new FindOneAndUpdateOptions<CounterDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After },
            cancellationToken);
        return counter.Value;
    }

    /// <summary>
    /// Replicas reserve positions and then insert; a lower position can become visible after a
    /// higher one. The feed re-reads this many positions behind its last, skipping what it sent.
    /// </summary>
    public long LiveFeedOverlap => 2_000;

    public async Task<IReadOnlyList<PositionedEvent>> ReadStoredAfterAsync(
        string projectId, long afterPosition, int limit, IReadOnlyCollection<long> skip, CancellationToken cancellationToken)
    {
        var filter = Builders<EventDocument>.Filter;
        var where = filter.Eq(e => e.ProjectId, projectId) & filter.Gt(e => e.Position, afterPosition);
        if (skip.Count > 0)
        {
            where &= filter.Nin(e => e.Position, skip);
        }

        var documents = await _events.Find(where)
            .Sort(Builders<EventDocument>.Sort.Ascending(e => e.Position))
            .Limit(limit)
            .ToListAsync(cancellationToken);
        return documents.Select(d => new PositionedEvent(d.Position, d.ToIngestedEvent())).ToList();
    }

    public async Task<long> LatestPositionAsync(string projectId, CancellationToken cancellationToken)
    {
        var latest = await _events.Find(e => e.ProjectId == projectId)
            .Sort(Builders<EventDocument>.Sort.Descending(e => e.Position))
            .Limit(1)
            .FirstOrDefaultAsync(cancellationToken);
        return latest?.Position ?? 0;
    }

    public async Task<int> DeleteExpiredAsync(RetentionCutoffs defaults, IReadOnlyDictionary<string, RetentionCutoffs> overrides, int limit, CancellationToken cancellationToken)
    {
        var filter = Builders<EventDocument>.Filter;
        FilterDefinition<EventDocument> Expired(RetentionCutoffs cutoffs) =>
            (filter.Eq(e => e.Test, false) & filter.Lt(e => e.Timestamp, cutoffs.Live.UtcDateTime)) |
            (filter.Eq(e => e.Test, true) & filter.Lt(e => e.Timestamp, cutoffs.Test.UtcDateTime));

        // The defaults apply to every project without its own policy; those get theirs.
        var where = Expired(defaults);
        if (overrides.Count > 0)
        {
            where &= filter.Nin(e => e.ProjectId, overrides.Keys);
            foreach (var (project, cutoffs) in overrides)
            {
                where |= filter.Eq(e => e.ProjectId, project) & Expired(cutoffs);
            }
        }

        var expired = await _events.Find(where)
            .Project(e => new EventDocument { Key = e.Key, ProjectId = e.ProjectId, Category = e.Category, Test = e.Test })
            .Limit(limit)
            .ToListAsync(cancellationToken);
        if (expired.Count == 0)
        {
            return 0;
        }

        var deleted = await _events.DeleteManyAsync(filter.In(e => e.Key, expired.Select(e => e.Key)), cancellationToken);
        var uncount = expired
            .Where(d => d.Category is not null)
            .GroupBy(d => (d.ProjectId, d.Test, Category: d.Category!))
            .Select(g => new UpdateOneModel<CategoryDocument>(
                Builders<CategoryDocument>.Filter.Eq(c => c.Key, CategoryDocument.KeyOf(g.Key.ProjectId, g.Key.Test, g.Key.Category)),
                Builders<CategoryDocument>.Update.Inc(c => c.Count, -g.LongCount())))
            .ToList();
        if (uncount.Count > 0)
        {
            await _categories.BulkWriteAsync(uncount, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
        }

        return (int)deleted.DeletedCount;
    }

    public async Task<RetentionPolicy?> GetRetentionAsync(string projectId, CancellationToken cancellationToken) =>
        (await _retention.Find(r => r.ProjectId == projectId).FirstOrDefaultAsync(cancellationToken))?.ToPolicy();

    public Task SetRetentionAsync(string projectId, RetentionPolicy policy, CancellationToken cancellationToken) =>
        _retention.ReplaceOneAsync(
            r => r.ProjectId == projectId,
            new RetentionDocument { ProjectId = projectId, LiveDays = policy.LiveDays, TestDays = policy.TestDays },
            new ReplaceOptions { IsUpsert = true },
            cancellationToken);

    public async Task<IReadOnlyDictionary<string, RetentionPolicy>> RetentionOverridesAsync(CancellationToken cancellationToken) =>
        (await _retention.Find(FilterDefinition<RetentionDocument>.Empty).ToListAsync(cancellationToken))
            .ToDictionary(r => r.ProjectId, r => r.ToPolicy(), StringComparer.Ordinal);

    private async Task CountCategoriesAsync(List<EventDocument> inserted, CancellationToken cancellationToken)
    {
        var updates = inserted
            .Where(d => d.Category is not null)
            .GroupBy(d => (d.ProjectId, d.Test, Category: d.Category!))
            .Select(g => new UpdateOneModel<CategoryDocument>(
                Builders<CategoryDocument>.Filter.Eq(c => c.Key, CategoryDocument.KeyOf(g.Key.ProjectId, g.Key.Test, g.Key.Category)),
                Builders<CategoryDocument>.Update
                    .SetOnInsert(c => c.ProjectId, g.Key.ProjectId)
                    .SetOnInsert(c => c.Test, g.Key.Test)
                    .SetOnInsert(c => c.Category, g.Key.Category)
                    .Inc(c => c.Count, g.LongCount())
                    .Max(c => c.LastTimestamp, g.Max(d => d.Timestamp)))
            { IsUpsert = true })
            .ToList();
        if (updates.Count > 0)
        {
            await _categories.BulkWriteAsync(updates, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
        }
    }

    public async Task<IngestedEvent?> GetAsync(string projectId, string id, CancellationToken cancellationToken)
    {
        var document = await _events.Find(e => e.Key == EventDocument.KeyOf(projectId, id)).FirstOrDefaultAsync(cancellationToken);
        return document?.ToIngestedEvent();
    }

    public async Task<EventPage> ListAsync(string projectId, EventQuery query, CancellationToken cancellationToken)
    {
        var filter = Builders<EventDocument>.Filter;
        var where = filter.Eq(e => e.ProjectId, projectId) & filter.Eq(e => e.Test, query.Test);
        if (query.Category is not null) where &= filter.Eq(e => e.Category, query.Category);
        if (query.Name is not null) where &= filter.Eq(e => e.Name, query.Name);
        if (query.ContextId is not null) where &= filter.Eq(e => e.ContextId, query.ContextId);
        if (query.UserId is not null) where &= filter.Eq(e => e.UserId, query.UserId);
        if (query.Level is not null) where &= filter.Eq(e => e.Level, query.Level);
        if (query.Tag is not null) where &= filter.AnyEq(e => e.TagPairs, query.Tag);
        if (query.From is { } from) where &= filter.Gte(e => e.Timestamp, from.UtcDateTime);
        if (query.To is { } to) where &= filter.Lt(e => e.Timestamp, to.UtcDateTime);
        if (query.Words is { Count: > 0 } words)
        {
            // Each word as a quoted phrase: MongoDB then requires all of them.
            where &= filter.Text(string.Join(' ', words.Select(w => "\"" + w.Replace("\"", "", StringComparison.Ordinal) + "\"")));
        }

        if (query.After is { } cursor)
        {
            var ts = DateTime.UnixEpoch.AddMilliseconds(cursor.TimestampMs);
            where &= filter.Lt(e => e.Timestamp, ts) |
                     (filter.Eq(e => e.Timestamp, ts) & filter.Lt(e => e.EventId, cursor.Id));
        }

        var documents = await _events.Find(where)
            .Sort(Builders<EventDocument>.Sort.Descending(e => e.Timestamp).Descending(e => e.EventId))
            .Limit(query.Limit + 1)
            .ToListAsync(cancellationToken);
        return EventPage.FromOverfetched(documents.Select(d => d.ToIngestedEvent()).ToList(), query.Limit);
    }

    public async Task<IReadOnlyList<CategoryCount>> CategoriesAsync(string projectId, bool test, CancellationToken cancellationToken)
    {
        var documents = await _categories
            .Find(c => c.ProjectId == projectId && c.Test == test && c.Count > 0)
            .Sort(Builders<CategoryDocument>.Sort.Descending(c => c.LastTimestamp).Ascending(c => c.Category))
            .ToListAsync(cancellationToken);
        return documents.Select(c => new CategoryCount(c.Category, c.Count, new DateTimeOffset(DateTime.SpecifyKind(c.LastTimestamp, DateTimeKind.Utc)))).ToList();
    }

    public async Task<IReadOnlyList<VolumeCount>> VolumeAsync(
        string projectId, bool test, VolumeKey by, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, CancellationToken cancellationToken)
    {
        var key = by == VolumeKey.Category ? new BsonDocument("$ifNull", new BsonArray { "$category", "" }) : (BsonValue)"$name";
        var bucketNumber = new BsonDocument("$floor", new BsonDocument("$divide", new BsonArray
        {
            new BsonDocument("$subtract", new BsonArray { "$timestamp", from.UtcDateTime }),
            (long)bucket.TotalMilliseconds,
        }));
        var pipeline = new[]
        {
            new BsonDocument("$match", new BsonDocument
            {
                { "projectId", projectId },
                { "test", test },
                { "timestamp", new BsonDocument { { "$gte", from.UtcDateTime }, { "$lt", to.UtcDateTime } } },
            }),
            new BsonDocument("$group", new BsonDocument
            {
                { "_id", new BsonDocument { { "b", bucketNumber }, { "k", key } } },
                { "n", new BsonDocument("$sum", 1) },
            }),
        };
        var groups = await _events.Aggregate<BsonDocument>(pipeline, cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        return groups
            .Select(g => new VolumeCount(g["_id"]["k"].AsString, (int)g["_id"]["b"].ToDouble(), g["n"].ToInt64()))
            .ToList();
    }

    [BsonIgnoreExtraElements]
    internal sealed class EventDocument
    {
        [BsonId]
        public string Key { get; set; } = "";

        [BsonElement("projectId")]
        public string ProjectId { get; set; } = "";

        [BsonElement("eventId")]
        public string EventId { get; set; } = "";

        [BsonElement("timestamp")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        public DateTime Timestamp { get; set; }

        [BsonElement("receivedAt")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        public DateTime ReceivedAt { get; set; }

        [BsonElement("name")]
        public string Name { get; set; } = "";

        [BsonElement("avatar"), BsonIgnoreIfNull]
        public string? Avatar { get; set; }

        [BsonElement("category"), BsonIgnoreIfNull]
        public string? Category { get; set; }

        /// <summary>The client's JSON text, kept verbatim (BSON numbers would not round-trip every JSON number).</summary>
        [BsonElement("content"), BsonIgnoreIfNull]
        public string? Content { get; set; }

        [BsonElement("type")]
        public string Type { get; set; } = EventTypes.Text;

        [BsonElement("contextId"), BsonIgnoreIfNull]
        public string? ContextId { get; set; }

        [BsonElement("contextStart")]
        public bool ContextStart { get; set; }

        [BsonElement("contextEnd")]
        public bool ContextEnd { get; set; }

        [BsonElement("contextTimeout"), BsonIgnoreIfNull]
        public int? ContextTimeout { get; set; }

        [BsonElement("actions"), BsonIgnoreIfNull]
        public string? Actions { get; set; }

        [BsonElement("notify")]
        public bool Notify { get; set; }

        [BsonElement("test")]
        public bool Test { get; set; }

        [BsonElement("userId"), BsonIgnoreIfNull]
        public string? UserId { get; set; }

        [BsonElement("tags"), BsonIgnoreIfNull]
        public string? Tags { get; set; }

        [BsonElement("tagPairs")]
        public List<string> TagPairs { get; set; } = [];

        [BsonElement("level")]
        public string Level { get; set; } = EventLevels.Info;

        [BsonElement("backfilled")]
        public bool Backfilled { get; set; }

        [BsonElement("warnings"), BsonIgnoreIfNull]
        public string? Warnings { get; set; }

        [BsonElement("searchText")]
        public string SearchText { get; set; } = "";

        /// <summary>Order of storage, from the <c>counters</c> collection; what the live feed follows.</summary>
        [BsonElement("position")]
        public long Position { get; set; }

        /// <summary>Project ids never contain '/', so the first '/' separates the two parts.</summary>
        public static string KeyOf(string projectId, string eventId) => projectId + "/" + eventId;

        public static EventDocument From(IngestedEvent e) => new()
        {
            Key = KeyOf(e.ProjectId, e.Id),
            ProjectId = e.ProjectId,
            EventId = e.Id,
            Timestamp = e.Timestamp.UtcDateTime,
            ReceivedAt = e.ReceivedAt.UtcDateTime,
            Name = e.Name,
            Avatar = e.Avatar,
            Category = e.Category,
            Content = e.Content?.GetRawText(),
            Type = e.Type,
            ContextId = e.ContextId,
            ContextStart = e.ContextStart,
            ContextEnd = e.ContextEnd,
            ContextTimeout = e.ContextTimeout,
            Actions = StoredEventJson.Serialize(e.Actions),
            Notify = e.Notify,
            Test = e.Test,
            UserId = e.UserId,
            Tags = StoredEventJson.Serialize(e.Tags),
            TagPairs = StoredEventJson.TagPairs(e).ToList(),
            Level = e.Level,
            Backfilled = e.Backfilled,
            Warnings = StoredEventJson.Serialize(e.Warnings),
            SearchText = StoredEventJson.SearchText(e),
        };

        public IngestedEvent ToIngestedEvent() => new(
            EventId,
            ProjectId,
            Name,
            Avatar,
            Category,
            Content is null ? null : StoredEventJson.ParseContent(Content),
            new DateTimeOffset(DateTime.SpecifyKind(Timestamp, DateTimeKind.Utc)),
            new DateTimeOffset(DateTime.SpecifyKind(ReceivedAt, DateTimeKind.Utc)))
        {
            Type = Type,
            ContextId = ContextId,
            ContextStart = ContextStart,
            ContextEnd = ContextEnd,
            ContextTimeout = ContextTimeout,
            Actions = StoredEventJson.Deserialize<List<EventAction>>(Actions),
            Notify = Notify,
            Test = Test,
            UserId = UserId,
            Tags = StoredEventJson.Deserialize<Dictionary<string, JsonElement>>(Tags),
            Level = Level,
            Backfilled = Backfilled,
            Warnings = StoredEventJson.Deserialize<List<EventWarning>>(Warnings),
        };
    }

    [BsonIgnoreExtraElements]
    internal sealed class CategoryDocument
    {
        [BsonId]
        public string Key { get; set; } = "";

        [BsonElement("projectId")]
        public string ProjectId { get; set; } = "";

        [BsonElement("test")]
        public bool Test { get; set; }

        [BsonElement("category")]
        public string Category { get; set; } = "";

        [BsonElement("count")]
        public long Count { get; set; }

        [BsonElement("lastTimestamp")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        public DateTime LastTimestamp { get; set; }

        public static string KeyOf(string projectId, bool test, string category) => $"{projectId}/{(test ? "test" : "live")}/{category}";
    }

    internal sealed class CounterDocument
    {
        [BsonId]
        public string Id { get; set; } = "";

        [BsonElement("value")]
        public long Value { get; set; }
    }

    [BsonIgnoreExtraElements]
    internal sealed class RetentionDocument
    {
        [BsonId]
        public string ProjectId { get; set; } = "";

        [BsonElement("liveDays")]
        public int LiveDays { get; set; }

        [BsonElement("testDays")]
        public int TestDays { get; set; }

        public RetentionPolicy ToPolicy() => new(LiveDays, TestDays);
    }
}
