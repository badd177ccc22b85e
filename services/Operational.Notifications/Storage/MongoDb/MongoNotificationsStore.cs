using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.Notifications.Channels;
using Operational.Notifications.Push;
using Operational.Notifications.Storage.Sqlite;
using Operational.ServiceDefaults.Storage;

namespace Operational.Notifications.Storage.MongoDb;

/// <summary>
/// The notifications service's MongoDB database: channels (id <c>{project}/{channel}</c>), the VAPID
/// key (one document, inserted once) and push subscriptions (unique per project and endpoint).
/// </summary>
public sealed class MongoNotificationsStore(IMongoDatabase database) : IChannelStore, IPushStore
{
    private const string VapidId = "vapid";

    private readonly IMongoCollection<ChannelDocument> _channels = database.GetCollection<ChannelDocument>("channels");
    private readonly IMongoCollection<VapidDocument> _vapid = database.GetCollection<VapidDocument>("vapid");
    private readonly IMongoCollection<SubscriptionDocument> _subscriptions = database.GetCollection<SubscriptionDocument>("push_subscriptions");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _channels.Indexes.CreateOneAsync(new CreateIndexModel<ChannelDocument>(
            Builders<ChannelDocument>.IndexKeys.Ascending(c => c.ProjectId).Ascending(c => c.CreatedAt), new CreateIndexOptions { Name = "project" }),
            cancellationToken: cancellationToken);
        var keys = Builders<SubscriptionDocument>.IndexKeys;
        await _subscriptions.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<SubscriptionDocument>(keys.Ascending(s => s.ProjectId).Ascending(s => s.Endpoint), new CreateIndexOptions { Name = "project_endpoint", Unique = true }),
                new CreateIndexModel<SubscriptionDocument>(keys.Ascending(s => s.Endpoint), new CreateIndexOptions { Name = "endpoint" }),
            ],
            cancellationToken);
    }

    public async Task<VapidKey> GetOrAddVapidKeyAsync(VapidKey created, CancellationToken cancellationToken)
    {
        try
        {
            await _vapid.InsertOneAsync(new VapidDocument
            {
                Id = VapidId,
                PrivateKey = created.PrivateKey,
                PublicKey = created.PublicKey,
                CreatedAt = created.CreatedAt.ToUnixTimeMilliseconds(),
            }, cancellationToken: cancellationToken);
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            // Another replica stored its key first: everyone uses that one.
        }

        var stored = await _vapid.Find(v => v.Id == VapidId).SingleAsync(cancellationToken);
        return new VapidKey(stored.PrivateKey, stored.PublicKey, DateTimeOffset.FromUnixTimeMilliseconds(stored.CreatedAt));
    }

    public async Task<PushSubscription> SaveSubscriptionAsync(PushSubscription subscription, CancellationToken cancellationToken)
    {
        var filter = Builders<SubscriptionDocument>.Filter.Where(s => s.ProjectId == subscription.ProjectId && s.Endpoint == subscription.Endpoint);
        var update = Builders<SubscriptionDocument>.Update
            .Set(s => s.P256dh, subscription.P256dh)
            .Set(s => s.Auth, subscription.Auth)
            .SetOnInsert(s => s.Id, subscription.ProjectId + "/" + subscription.Id)
            .SetOnInsert(s => s.SubscriptionId, subscription.Id)
            .SetOnInsert(s => s.CreatedAt, subscription.CreatedAt.ToUnixTimeMilliseconds());
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stored = await _subscriptions.FindOneAndUpdateAsync(filter, update,
                    new FindOneAndUpdateOptions<SubscriptionDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After }, cancellationToken);
                return stored.ToSubscription();
            }
            catch (MongoCommandException e) when (attempt < 3 && e.Code == 11000)
            {
                // Two replicas saving the same new endpoint: the loser updates the winner's document.
            }
        }
    }

    public async Task<IReadOnlyList<PushSubscription>> SubscriptionsAsync(string projectId, CancellationToken cancellationToken) =>
        (await _subscriptions.Find(s => s.ProjectId == projectId).SortBy(s => s.CreatedAt).ThenBy(s => s.Id).ToListAsync(cancellationToken))
        .Select(s => s.ToSubscription()).ToList();

    public async Task<bool> DeleteSubscriptionAsync(string projectId, string subscriptionId, CancellationToken cancellationToken) =>
        (await _subscriptions.DeleteOneAsync(s => s.Id == projectId + "/" + subscriptionId, cancellationToken)).DeletedCount == 1;

    public Task DeleteSubscriptionsByEndpointAsync(string endpoint, CancellationToken cancellationToken) =>
        _subscriptions.DeleteManyAsync(s => s.Endpoint == endpoint, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<Channel?> GetAsync(string projectId, string channelId, CancellationToken cancellationToken) =>
        (await _channels.Find(c => c.Id == Key(projectId, channelId)).FirstOrDefaultAsync(cancellationToken))?.ToChannel();

    public async Task<IReadOnlyList<Channel>> ListAsync(string projectId, CancellationToken cancellationToken) =>
        (await _channels.Find(c => c.ProjectId == projectId).SortBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(cancellationToken))
        .Select(c => c.ToChannel()).ToList();

    public Task SaveAsync(Channel channel, CancellationToken cancellationToken) =>
        _channels.ReplaceOneAsync(c => c.Id == Key(channel.ProjectId, channel.Id), ChannelDocument.From(channel), new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<bool> DeleteAsync(string projectId, string channelId, CancellationToken cancellationToken) =>
        (await _channels.DeleteOneAsync(c => c.Id == Key(projectId, channelId), cancellationToken)).DeletedCount == 1;

    // Project ids are generated (letters, digits, '-'), so '/' cannot make two keys collide.
    private static string Key(string projectId, string channelId) => projectId + "/" + channelId;

    private sealed class VapidDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("private")] public required byte[] PrivateKey { get; init; }

        [BsonElement("public")] public required byte[] PublicKey { get; init; }

        [BsonElement("createdAt")] public long CreatedAt { get; init; }
    }

    private sealed class SubscriptionDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("s")] public required string SubscriptionId { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("endpoint")] public required string Endpoint { get; init; }

        [BsonElement("p256dh")] public required byte[] P256dh { get; init; }

        [BsonElement("auth")] public required byte[] Auth { get; init; }

        [BsonElement("createdAt")] public long CreatedAt { get; init; }

        public PushSubscription ToSubscription() => new(SubscriptionId, ProjectId, Endpoint, P256dh, Auth, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
    }

    private sealed class ChannelDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("c")] public required string ChannelId { get; init; }

        [BsonElement("definition")] public required string Definition { get; init; }

        [BsonElement("createdAt")] public long CreatedAt { get; init; }

        [BsonElement("updatedAt")] public long UpdatedAt { get; init; }

        public static ChannelDocument From(Channel channel) => new()
        {
            Id = Key(channel.ProjectId, channel.Id),
            ProjectId = channel.ProjectId,
            ChannelId = channel.Id,
            Definition = ChannelJson.Write(channel.Definition),
            CreatedAt = channel.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAt = channel.UpdatedAt.ToUnixTimeMilliseconds(),
        };

        public Channel ToChannel() => new(ChannelId, ProjectId, ChannelJson.Read(Definition),
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt));
    }
}
