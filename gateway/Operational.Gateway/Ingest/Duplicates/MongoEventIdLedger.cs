using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Ingest.Duplicates;

/// <summary>Collection <c>acceptedIds</c> of the gateway's database; <c>_id</c> is <c>{project}/{id}</c>.</summary>
public sealed class MongoEventIdLedger(IMongoDatabase database) : IEventIdLedger
{
    private readonly IMongoCollection<AcceptedId> _ids = database.GetCollection<AcceptedId>("acceptedIds");

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        _ids.Indexes.CreateOneAsync(
            new CreateIndexModel<AcceptedId>(Builders<AcceptedId>.IndexKeys.Ascending(a => a.AcceptedAt), new CreateIndexOptions { Name = "acceptedAt" }),
            cancellationToken: cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<IReadOnlySet<string>> FindAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return new HashSet<string>();
        }

        var keys = ids.Select(id => KeyOf(projectId, id)).ToList();
        var found = await _ids.Find(Builders<AcceptedId>.Filter.In(a => a.Key, keys)).Project(a => a.Key).ToListAsync(cancellationToken);
        return found.Select(key => key[(projectId.Length + 1)..]).ToHashSet(StringComparer.Ordinal);
    }

    public async Task RecordAsync(string projectId, IReadOnlyCollection<string> ids, DateTimeOffset acceptedAt, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var writes = ids.Select(id => new UpdateOneModel<AcceptedId>(
            Builders<AcceptedId>.Filter.Eq(a => a.Key, KeyOf(projectId, id)),
            Builders<AcceptedId>.Update.SetOnInsert(a => a.AcceptedAt, acceptedAt.UtcDateTime)) { IsUpsert = true });
        await _ids.BulkWriteAsync(writes, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
    }

    /// <summary>One server-side delete; MongoDB bounds its own work, so <paramref name="max"/> is not needed here.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, int max, CancellationToken cancellationToken)
    {
        var result = await _ids.DeleteManyAsync(a => a.AcceptedAt < before.UtcDateTime, cancellationToken);
        return (int)Math.Min(result.DeletedCount, int.MaxValue);
    }

    /// <summary>Project ids never contain '/', so the first '/' separates the two parts.</summary>
    private static string KeyOf(string projectId, string id) => projectId + "/" + id;

    [BsonIgnoreExtraElements]
    internal sealed class AcceptedId
    {
        [BsonId]
        public string Key { get; set; } = "";

        [BsonElement("acceptedAt")]
        [BsonDateTimeOptions(Kind = DateTimeKind.Utc)]
        public DateTime AcceptedAt { get; set; }
    }
}
