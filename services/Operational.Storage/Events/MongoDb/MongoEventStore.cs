using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Storage;

namespace Operational.Storage.Events.MongoDb;

/// <summary>
/// Events in the <c>events</c> collection of the storage service's database. The document
/// id is <c>{projectId}/{eventId}</c>, so idempotency rests on the always-present unique
/// <c>_id</c> index rather than on an index that might still be building.
/// </summary>
public sealed class MongoEventStore(IMongoDatabase database) : IEventStore
{
    private readonly IMongoCollection<EventDocument> _events = database.GetCollection<EventDocument>("events");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var keys = Builders<EventDocument>.IndexKeys;
        await _events.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<EventDocument>(
                    keys.Ascending(e => e.ProjectId).Descending(e => e.Timestamp).Descending(e => e.EventId),
                    new CreateIndexOptions { Name = "project_time" }),
            ],
            cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<int> AppendAsync(IReadOnlyList<IngestedEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return 0;
        }

        var documents = events.Select(EventDocument.From).ToList();
        try
        {
            await _events.InsertManyAsync(documents, new InsertManyOptions { IsOrdered = false }, cancellationToken);
            return documents.Count;
        }
        catch (MongoBulkWriteException<EventDocument> e)
            when (e.WriteConcernError is null && e.WriteErrors.All(error => error.Category == ServerErrorCategory.DuplicateKey))
        {
            // Unordered: every non-duplicate was inserted; the duplicates were stored earlier.
            return documents.Count - e.WriteErrors.Count;
        }
    }

    public async Task<StoredEvent?> GetAsync(string projectId, string id, CancellationToken cancellationToken)
    {
        var document = await _events.Find(e => e.Key == EventDocument.KeyOf(projectId, id)).FirstOrDefaultAsync(cancellationToken);
        return document?.ToStoredEvent();
    }

    public async Task<EventPage> ListAsync(string projectId, EventQuery query, CancellationToken cancellationToken)
    {
        var filter = Builders<EventDocument>.Filter;
        var where = filter.Eq(e => e.ProjectId, projectId);
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
        return EventPage.FromOverfetched(documents.Select(d => d.ToStoredEvent()).ToList(), query.Limit);
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

        [BsonElement("avatar")]
        [BsonIgnoreIfNull]
        public string? Avatar { get; set; }

        [BsonElement("category")]
        [BsonIgnoreIfNull]
        public string? Category { get; set; }

        /// <summary>The client's JSON text, kept verbatim (BSON numbers would not round-trip every JSON number).</summary>
        [BsonElement("content")]
        [BsonIgnoreIfNull]
        public string? Content { get; set; }

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
        };

        public StoredEvent ToStoredEvent() => new(
            EventId,
            ProjectId,
            Name,
            Avatar,
            Category,
            Content is null ? null : StoredEvent.ParseContent(Content),
            new DateTimeOffset(DateTime.SpecifyKind(Timestamp, DateTimeKind.Utc)),
            new DateTimeOffset(DateTime.SpecifyKind(ReceivedAt, DateTimeKind.Utc)));
    }
}
