using System.Text.Json;
using System.Text.Json.Nodes;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.ServiceDefaults.Validation;
using Operational.Storage.Insights;
using Operational.Storage.Users;

namespace Operational.Storage.Events.MongoDb;

/// <summary>
/// Users, groups and insights in their own collections. First and last seen and counts are
/// upserted with <c>$min</c>/<c>$max</c>/<c>$inc</c> for the events actually inserted, as the
/// category counts are; merges (identify, group, increment) read, decide with the same pure rules
/// as SQLite (<see cref="UserProperties"/>, <see cref="Insights.Insights"/>) and write back only if
/// the document's version is still the one read, retrying otherwise.
/// </summary>
public sealed partial class MongoEventStore
{
    private const int MergeAttempts = 20;

    private IMongoCollection<UserDocument> UsersCollection => database.GetCollection<UserDocument>("users");
    private IMongoCollection<GroupDocument> GroupsCollection => database.GetCollection<GroupDocument>("user_groups");
    private IMongoCollection<InsightDocument> InsightsCollection => database.GetCollection<InsightDocument>("insights");
    private IMongoCollection<InsightPointDocument> InsightHistory => database.GetCollection<InsightPointDocument>("insight_history");

    private async Task InitializeUsersAndInsightsAsync(CancellationToken cancellationToken)
    {
        await UsersCollection.Indexes.CreateOneAsync(new CreateIndexModel<UserDocument>(
            Builders<UserDocument>.IndexKeys.Ascending(u => u.ProjectId).Descending(u => u.SeenOrder).Ascending(u => u.UserId), new CreateIndexOptions { Name = "seen" }),
            cancellationToken: cancellationToken);
        await InsightHistory.Indexes.CreateOneAsync(new CreateIndexModel<InsightPointDocument>(
            Builders<InsightPointDocument>.IndexKeys.Ascending(p => p.ProjectId).Ascending(p => p.Title).Descending(p => p.Id), new CreateIndexOptions { Name = "insight" }),
            cancellationToken: cancellationToken);
    }

    private async Task CountUsersAsync(List<EventDocument> inserted, CancellationToken cancellationToken)
    {
        var updates = inserted
            .Where(d => d.UserId is not null && !d.Test)
            .GroupBy(d => (d.ProjectId, UserId: d.UserId!))
            .Select(g => new UpdateOneModel<UserDocument>(
                Builders<UserDocument>.Filter.Eq(u => u.Key, UserDocument.KeyOf(g.Key.ProjectId, g.Key.UserId)),
                Builders<UserDocument>.Update
                    .SetOnInsert(u => u.ProjectId, g.Key.ProjectId)
                    .SetOnInsert(u => u.UserId, g.Key.UserId)
                    .SetOnInsert(u => u.Properties, "{}")
                    .SetOnInsert(u => u.Groups, new List<string>())
                    .Min(u => u.FirstSeen, g.Min(d => d.Timestamp))
                    .Max(u => u.LastSeen, g.Max(d => d.Timestamp))
                    .Max(u => u.SeenOrder, new DateTimeOffset(g.Max(d => d.Timestamp), TimeSpan.Zero).ToUnixTimeMilliseconds())
                    .SetOnInsert(u => u.Version, 0)
                    .Inc(u => u.EventCount, g.LongCount()))
            { IsUpsert = true })
            .ToList();
        if (updates.Count > 0)
        {
            await UsersCollection.BulkWriteAsync(updates, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
        }
    }

    public async Task<UserRecord?> IdentifyAsync(string projectId, string userId, JsonElement properties, DateTimeOffset now, FieldErrors errors, CancellationToken cancellationToken)
    {
        var key = UserDocument.KeyOf(projectId, userId);
        for (var attempt = 0; attempt < MergeAttempts; attempt++)
        {
            var current = await UsersCollection.Find(u => u.Key == key).FirstOrDefaultAsync(cancellationToken);
            if (UserProperties.Merge(current is null ? null : JsonNode.Parse(current.Properties)!.AsObject(), properties, "properties", errors) is not { } merged)
            {
                return null;
            }

            if (await SaveVersionedAsync(UsersCollection, key, current?.Version, Builders<UserDocument>.Update
                    .SetOnInsert(u => u.ProjectId, projectId).SetOnInsert(u => u.UserId, userId).SetOnInsert(u => u.Groups, new List<string>())
                    .Set(u => u.Properties, merged.ToJsonString()).Set(u => u.IdentifiedAt, now.UtcDateTime), cancellationToken))
            {
                return await GetUserAsync(projectId, userId, cancellationToken);
            }
        }

        throw new InvalidOperationException($"User {userId} changed under every one of {MergeAttempts} attempts to identify it.");
    }

    public async Task<UserRecord?> GetUserAsync(string projectId, string userId, CancellationToken cancellationToken)
    {
        var key = UserDocument.KeyOf(projectId, userId);
        return (await UsersCollection.Find(u => u.Key == key).FirstOrDefaultAsync(cancellationToken))?.ToRecord();
    }

    public async Task<UserPage> ListUsersAsync(string projectId, UserQuery query, CancellationToken cancellationToken)
    {
        var f = Builders<UserDocument>.Filter;
        var where = f.Eq(u => u.ProjectId, projectId);
        if (query.After is { } after)
        {
            where &= f.Lt(u => u.SeenOrder, after.LastSeen) | (f.Eq(u => u.SeenOrder, after.LastSeen) & f.Gt(u => u.UserId, after.UserId));
        }

        if (query.Search is { Length: > 0 } search)
        {
            where &= f.Regex(u => u.UserId, new MongoDB.Bson.BsonRegularExpression(System.Text.RegularExpressions.Regex.Escape(search), "i"));
        }

        // Properties are kept as JSON text: a property search checks candidates page by page here.
        var found = new List<UserRecord>();
        var cursor = await UsersCollection.Find(where).Sort(Builders<UserDocument>.Sort.Descending(u => u.SeenOrder).Ascending(u => u.UserId)).ToCursorAsync(cancellationToken);
        while (found.Count <= query.Limit && await cursor.MoveNextAsync(cancellationToken))
        {
            found.AddRange(cursor.Current.Select(d => d.ToRecord())
                .Where(u => query.PropertyKey is not { } k || UserProperties.Matches(u.Properties, k, query.PropertyValue!)));
        }

        var next = found.Count > query.Limit ? found[query.Limit - 1] : null;
        return new UserPage(found.Take(query.Limit).ToList(), next is null ? null : new UserCursor(next.LastSeen?.ToUnixTimeMilliseconds() ?? 0, next.UserId));
    }

    public async Task<GroupRecord?> GroupAsync(string projectId, string groupId, string? userId, JsonElement? properties, DateTimeOffset now, FieldErrors errors,
        CancellationToken cancellationToken)
    {
        var joined = 0;
        if (userId is not null)
        {
            var key = UserDocument.KeyOf(projectId, userId);
            try
            {
                var added = await UsersCollection.UpdateOneAsync(
                    Builders<UserDocument>.Filter.Eq(u => u.Key, key) & Builders<UserDocument>.Filter.Not(Builders<UserDocument>.Filter.AnyEq(u => u.Groups, groupId)),
                    Builders<UserDocument>.Update.SetOnInsert(u => u.ProjectId, projectId).SetOnInsert(u => u.UserId, userId).SetOnInsert(u => u.Properties, "{}")
                        .AddToSet(u => u.Groups, groupId).Set(u => u.IdentifiedAt, now.UtcDateTime).SetOnInsert(u => u.Version, 0),
                    new UpdateOptions { IsUpsert = true }, cancellationToken);
                joined = added.ModifiedCount > 0 || added.UpsertedId is not null ? 1 : 0;
            }
            catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
            {
                // The user exists and is already a member: the filter missed it and the upsert collided.
            }
        }

        var groupKey = UserDocument.KeyOf(projectId, groupId);
        for (var attempt = 0; attempt < MergeAttempts; attempt++)
        {
            var current = await GroupsCollection.Find(g => g.Key == groupKey).FirstOrDefaultAsync(cancellationToken);
            var currentProperties = current is null ? null : JsonNode.Parse(current.Properties)!.AsObject();
            var merged = properties is { } changes ? UserProperties.Merge(currentProperties, changes, "properties", errors) : currentProperties ?? new JsonObject();
            if (merged is null)
            {
                return null;
            }

            if (await SaveVersionedAsync(GroupsCollection, groupKey, current?.Version, Builders<GroupDocument>.Update
                    .SetOnInsert(g => g.ProjectId, projectId).SetOnInsert(g => g.GroupId, groupId)
                    .Set(g => g.Properties, merged.ToJsonString()).Inc(g => g.Members, joined).Set(g => g.UpdatedAt, now.UtcDateTime), cancellationToken))
            {
                return await GetGroupAsync(projectId, groupId, cancellationToken);
            }
        }

        throw new InvalidOperationException($"Group {groupId} changed under every one of {MergeAttempts} attempts to update it.");
    }

    public async Task<GroupRecord?> GetGroupAsync(string projectId, string groupId, CancellationToken cancellationToken)
    {
        var key = UserDocument.KeyOf(projectId, groupId);
        return (await GroupsCollection.Find(g => g.Key == key).FirstOrDefaultAsync(cancellationToken)) is { } g
            ? new GroupRecord(g.ProjectId, g.GroupId, JsonNode.Parse(g.Properties)!.AsObject(), g.Members, Utc(g.UpdatedAt)!.Value)
            : null;
    }

    public async Task<InsightRecord> SetInsightAsync(string projectId, string title, JsonElement value, string? icon, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = UserDocument.KeyOf(projectId, title);
        await InsightsCollection.UpdateOneAsync(i => i.Key == key, InsightUpdate(projectId, title, value, icon, now).Inc(i => i.Version, 1), new UpdateOptions { IsUpsert = true }, cancellationToken);
        await AddHistoryAsync(projectId, title, value, now, cancellationToken);
        return (await ReadInsightAsync(projectId, title, 0, cancellationToken))!;
    }

    public async Task<InsightRecord?> IncrementInsightAsync(string projectId, string title, decimal delta, string? icon, DateTimeOffset now, FieldErrors errors,
        CancellationToken cancellationToken)
    {
        var key = UserDocument.KeyOf(projectId, title);
        for (var attempt = 0; attempt < MergeAttempts; attempt++)
        {
            var current = await InsightsCollection.Find(i => i.Key == key).FirstOrDefaultAsync(cancellationToken);
            if (Insights.Insights.Increment(current is null ? null : JsonSerializer.Deserialize<JsonElement>(current.Value), delta, errors) is not { } value)
            {
                return null;
            }

            if (await SaveVersionedAsync(InsightsCollection, key, current?.Version, InsightUpdate(projectId, title, value, icon, now), cancellationToken))
            {
                await AddHistoryAsync(projectId, title, value, now, cancellationToken);
                return await ReadInsightAsync(projectId, title, 0, cancellationToken);
            }
        }

        throw new InvalidOperationException($"Insight {title} changed under every one of {MergeAttempts} attempts to increment it.");
    }

    public async Task<IReadOnlyList<InsightRecord>> ListInsightsAsync(string projectId, int historyPoints, CancellationToken cancellationToken)
    {
        var documents = await InsightsCollection.Find(i => i.ProjectId == projectId).SortBy(i => i.Title).ToListAsync(cancellationToken);
        var insights = new List<InsightRecord>(documents.Count);
        foreach (var document in documents)
        {
            insights.Add(await ToRecordAsync(document, historyPoints, cancellationToken));
        }

        return insights;
    }

    private static UpdateDefinition<InsightDocument> InsightUpdate(string projectId, string title, JsonElement value, string? icon, DateTimeOffset now)
    {
        var update = Builders<InsightDocument>.Update.SetOnInsert(i => i.ProjectId, projectId).SetOnInsert(i => i.Title, title)
            .Set(i => i.Value, value.GetRawText()).Set(i => i.UpdatedAt, now.UtcDateTime);
        return icon is null ? update : update.Set(i => i.Icon, icon);
    }

    /// <summary>Writes only if the document is still at <paramref name="version"/> (or, with none, still absent); false when another writer came first.</summary>
    private static async Task<bool> SaveVersionedAsync<T>(IMongoCollection<T> collection, string key, long? version, UpdateDefinition<T> update, CancellationToken cancellationToken)
        where T : IVersioned
    {
        var f = Builders<T>.Filter;
        // Without a version the document was absent when read: match nothing that exists, so a
        // document created meanwhile makes the upsert collide on _id instead of being overwritten.
        var where = version is { } v ? f.Eq(d => d.Key, key) & f.Eq(d => d.Version, v) : f.Eq(d => d.Key, key) & f.Exists(d => d.Version, false);
        try
        {
            var result = await collection.UpdateOneAsync(where, update.Inc(d => d.Version, 1), new UpdateOptions { IsUpsert = version is null }, cancellationToken);
            return version is null ? result.UpsertedId is not null : result.ModifiedCount == 1;
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return false; // created meanwhile by another writer: read it and merge again
        }
    }

    private async Task AddHistoryAsync(string projectId, string title, JsonElement value, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await InsightHistory.InsertOneAsync(new InsightPointDocument { Id = MongoDB.Bson.ObjectId.GenerateNewId(), ProjectId = projectId, Title = title, At = now.UtcDateTime, Value = value.GetRawText() }, cancellationToken: cancellationToken);
        // In the order written (ObjectIds grow), as SQLite's sequence: the history is what happened, in turn.
        var oldestKept = await InsightHistory.Find(p => p.ProjectId == projectId && p.Title == title).SortByDescending(p => p.Id)
            .Skip(Insights.Insights.HistoryKept - 1).Limit(1).FirstOrDefaultAsync(cancellationToken);
        if (oldestKept is not null)
        {
            await InsightHistory.DeleteManyAsync(p => p.ProjectId == projectId && p.Title == title && p.Id < oldestKept.Id, cancellationToken);
        }
    }

    private async Task<InsightRecord?> ReadInsightAsync(string projectId, string title, int historyPoints, CancellationToken cancellationToken)
    {
        var key = UserDocument.KeyOf(projectId, title);
        return await InsightsCollection.Find(i => i.Key == key).FirstOrDefaultAsync(cancellationToken) is { } document
            ? await ToRecordAsync(document, historyPoints, cancellationToken)
            : null;
    }

    private async Task<InsightRecord> ToRecordAsync(InsightDocument document, int historyPoints, CancellationToken cancellationToken)
    {
        var points = historyPoints <= 0 ? [] : await InsightHistory.Find(p => p.ProjectId == document.ProjectId && p.Title == document.Title)
            .SortByDescending(p => p.Id).Limit(historyPoints).ToListAsync(cancellationToken);
        points.Reverse();
        return new InsightRecord(document.ProjectId, document.Title, JsonSerializer.Deserialize<JsonElement>(document.Value), document.Icon, Utc(document.UpdatedAt)!.Value,
            points.Select(p => new InsightPoint(Utc(p.At)!.Value, JsonSerializer.Deserialize<JsonElement>(p.Value))).ToList());
    }

    private static DateTimeOffset? Utc(DateTime? time) => time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    internal interface IVersioned
    {
        string Key { get; }

        long Version { get; }
    }

    internal sealed class UserDocument : IVersioned
    {
        public static string KeyOf(string projectId, string id) => $"{projectId}/{id}";

        [BsonId] public string Key { get; set; } = "";
        [BsonElement("projectId")] public string ProjectId { get; set; } = "";
        [BsonElement("userId")] public string UserId { get; set; } = "";
        [BsonElement("firstSeen")] public DateTime? FirstSeen { get; set; }
        [BsonElement("lastSeen")] public DateTime? LastSeen { get; set; }
        [BsonElement("seenOrder")] public long SeenOrder { get; set; }
        [BsonElement("eventCount")] public long EventCount { get; set; }
        [BsonElement("properties")] public string Properties { get; set; } = "{}";
        [BsonElement("groups")] public List<string> Groups { get; set; } = [];
        [BsonElement("identifiedAt")] public DateTime? IdentifiedAt { get; set; }
        [BsonElement("version")] public long Version { get; set; }

        public UserRecord ToRecord() => new(ProjectId, UserId, Utc(FirstSeen), Utc(LastSeen), EventCount, JsonNode.Parse(Properties)!.AsObject(), Groups, Utc(IdentifiedAt));
    }

    internal sealed class GroupDocument : IVersioned
    {
        [BsonId] public string Key { get; set; } = "";
        [BsonElement("projectId")] public string ProjectId { get; set; } = "";
        [BsonElement("groupId")] public string GroupId { get; set; } = "";
        [BsonElement("properties")] public string Properties { get; set; } = "{}";
        [BsonElement("members")] public long Members { get; set; }
        [BsonElement("updatedAt")] public DateTime UpdatedAt { get; set; }
        [BsonElement("version")] public long Version { get; set; }
    }

    internal sealed class InsightDocument : IVersioned
    {
        [BsonId] public string Key { get; set; } = "";
        [BsonElement("projectId")] public string ProjectId { get; set; } = "";
        [BsonElement("title")] public string Title { get; set; } = "";
        [BsonElement("value")] public string Value { get; set; } = "null";
        [BsonElement("icon")] public string? Icon { get; set; }
        [BsonElement("updatedAt")] public DateTime UpdatedAt { get; set; }
        [BsonElement("version")] public long Version { get; set; }
    }

    internal sealed class InsightPointDocument
    {
        [BsonId] public MongoDB.Bson.ObjectId Id { get; set; }
        [BsonElement("projectId")] public string ProjectId { get; set; } = "";
        [BsonElement("title")] public string Title { get; set; } = "";
        [BsonElement("at")] public DateTime At { get; set; }
        [BsonElement("value")] public string Value { get; set; } = "null";
    }
}
