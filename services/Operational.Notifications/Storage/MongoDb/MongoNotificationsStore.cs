using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using Operational.Notifications.Actions;
using Operational.Notifications.Channels;
using Operational.Notifications.Deliveries;
using Operational.Notifications.Push;
using Operational.Notifications.Settings;
using Operational.Notifications.Storage.Sqlite;
using Operational.ServiceDefaults.Storage;

namespace Operational.Notifications.Storage.MongoDb;

/// <summary>
/// The notifications service's MongoDB database: channels (id <c>{project}/{channel}</c>), the VAPID
/// key (one document, inserted once) and push subscriptions (unique per project and endpoint).
/// </summary>
public sealed class MongoNotificationsStore(IMongoDatabase database, StoredSecrets secrets)
    : IChannelStore, IPushStore, IDeliveryStore, IActionStore, INotificationSettingsStore, ISecretResealing
{
    private const string VapidId = "vapid";

    private readonly IMongoCollection<ChannelDocument> _channels = database.GetCollection<ChannelDocument>("channels");
    private readonly IMongoCollection<VapidDocument> _vapid = database.GetCollection<VapidDocument>("vapid");
    private readonly IMongoCollection<SubscriptionDocument> _subscriptions = database.GetCollection<SubscriptionDocument>("push_subscriptions");
    private readonly IMongoCollection<DeliveryDocument> _deliveries = database.GetCollection<DeliveryDocument>("deliveries");
    private readonly IMongoCollection<RunDocument> _runs = database.GetCollection<RunDocument>("action_runs");
    private readonly IMongoCollection<SecretDocument> _secrets = database.GetCollection<SecretDocument>("action_secrets");
    private readonly IMongoCollection<SettingsDocument> _settings = database.GetCollection<SettingsDocument>("notification_settings");

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
        var runKeys = Builders<RunDocument>.IndexKeys;
        await _runs.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<RunDocument>(runKeys.Ascending(r => r.ProjectId).Ascending(r => r.EventId).Descending(r => r.CreatedAt), new CreateIndexOptions { Name = "event" }),
                new CreateIndexModel<RunDocument>(runKeys.Ascending(r => r.ProjectId).Ascending(r => r.EventId).Ascending(r => r.ActionKey),
                    new CreateIndexOptions<RunDocument> { Name = "once", Unique = true, PartialFilterExpression = Builders<RunDocument>.Filter.Eq(r => r.Holds, true) }),
            ],
            cancellationToken);
        var deliveryKeys = Builders<DeliveryDocument>.IndexKeys;
        await _deliveries.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<DeliveryDocument>(deliveryKeys.Ascending(d => d.NextAttemptAt),
                    new CreateIndexOptions<DeliveryDocument> { Name = "due", PartialFilterExpression = Builders<DeliveryDocument>.Filter.Eq(d => d.Status, DeliveryStatus.Pending) }),
                new CreateIndexModel<DeliveryDocument>(deliveryKeys.Ascending(d => d.ProjectId).Descending(d => d.CreatedAt).Descending(d => d.Id),
                    new CreateIndexOptions { Name = "list" }),
            ],
            cancellationToken);
    }

    public async Task<NotificationSettings?> GetSettingsAsync(string projectId, CancellationToken cancellationToken) =>
        (await _settings.Find(s => s.ProjectId == projectId).FirstOrDefaultAsync(cancellationToken)) is { } found ? new NotificationSettings(found.NotifyTestEvents) : null;

    public Task SetSettingsAsync(string projectId, NotificationSettings settings, CancellationToken cancellationToken) =>
        _settings.ReplaceOneAsync(s => s.ProjectId == projectId, new SettingsDocument { ProjectId = projectId, NotifyTestEvents = settings.NotifyTestEvents },
            new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<bool> TryStartRunAsync(ActionRun run, CancellationToken cancellationToken)
    {
        try
        {
            await _runs.InsertOneAsync(RunDocument.From(run), cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            return false; // an exclusive run of this action is pending or done
        }
    }

    public Task FinishRunAsync(ActionRun run, CancellationToken cancellationToken) =>
        _runs.ReplaceOneAsync(r => r.Id == run.Id, RunDocument.From(run), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<ActionRun>> RunsAsync(string projectId, string eventId, CancellationToken cancellationToken) =>
        (await _runs.Find(r => r.ProjectId == projectId && r.EventId == eventId).SortByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).ToListAsync(cancellationToken))
        .Select(r => r.ToRun()).ToList();

    public async Task<string> GetOrAddActionSecretAsync(string projectId, string created, CancellationToken cancellationToken)
    {
        try
        {
            await _secrets.InsertOneAsync(new SecretDocument { ProjectId = projectId, Secret = secrets.SealActionSecret(projectId, created) }, cancellationToken: cancellationToken);
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
        }

        return secrets.OpenActionSecret(projectId, (await _secrets.Find(s => s.ProjectId == projectId).SingleAsync(cancellationToken)).Secret);
    }

    public async Task AddDeliveriesAsync(IReadOnlyList<Delivery> deliveries, CancellationToken cancellationToken)
    {
        if (deliveries.Count == 0)
        {
            return;
        }

        try
        {
            await _deliveries.InsertManyAsync(deliveries.Select(DeliveryDocument.From), new InsertManyOptions { IsOrdered = false }, cancellationToken);
        }
        catch (MongoBulkWriteException<DeliveryDocument> e)
            when (e.WriteConcernError is null && e.WriteErrors.All(w => w.Category == ServerErrorCategory.DuplicateKey))
        {
            // Queued already by an earlier delivery of the same source message.
        }
    }

    /// <remarks>Without a transaction: a join racing the dispatcher's claim is kept off by the second's margin before it is due.</remarks>
    public async Task AddOrJoinAsync(IReadOnlyList<Delivery> deliveries, string sourcePrefix, DateTimeOffset now, Func<NotificationMessage, NotificationMessage?> join, CancellationToken cancellationToken)
    {
        var soon = (now + TimeSpan.FromSeconds(1)).ToUnixTimeMilliseconds();
        foreach (var delivery in deliveries)
        {
            var pending = await _deliveries.Find(d => d.ChannelId == delivery.ChannelId && d.Status == DeliveryStatus.Pending && d.Attempts == 0 && d.NextAttemptAt > soon
                    && d.SourceId.StartsWith(sourcePrefix))
                .SortBy(d => d.CreatedAt).FirstOrDefaultAsync(cancellationToken);
            if (pending is null)
            {
                await AddDeliveriesAsync([delivery], cancellationToken);
            }
            else if (join(DeliveryJson.Read(pending.Message)) is { } joined)
            {
                await _deliveries.UpdateOneAsync(d => d.Id == pending.Id && d.Message == pending.Message,
                    Builders<DeliveryDocument>.Update.Set(d => d.Message, DeliveryJson.Write(joined)).Set(d => d.UpdatedAt, now.ToUnixTimeMilliseconds()),
                    cancellationToken: cancellationToken);
            }
        }
    }

    public async Task<IReadOnlyList<Delivery>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var filter = Builders<DeliveryDocument>.Filter;
        var due = filter.Eq(d => d.Status, DeliveryStatus.Pending) & filter.Lte(d => d.NextAttemptAt, nowMs) &
                  (filter.Eq(d => d.ClaimedUntil, null) | filter.Lte(d => d.ClaimedUntil, nowMs));
        var claim = Builders<DeliveryDocument>.Update.Set(d => d.ClaimedUntil, (now + lease).ToUnixTimeMilliseconds());
        var options = new FindOneAndUpdateOptions<DeliveryDocument> { Sort = Builders<DeliveryDocument>.Sort.Ascending(d => d.NextAttemptAt), ReturnDocument = ReturnDocument.After };
        var claimed = new List<Delivery>();
        while (claimed.Count < limit && await _deliveries.FindOneAndUpdateAsync(due, claim, options, cancellationToken) is { } document)
        {
            claimed.Add(document.ToDelivery());
        }

        return claimed;
    }

    public Task RecordAttemptsAsync(IReadOnlyList<Delivery> deliveries, CancellationToken cancellationToken) =>
        deliveries.Count == 0 ? Task.CompletedTask : _deliveries.BulkWriteAsync(
            deliveries.Select(delivery => new UpdateOneModel<DeliveryDocument>(
                Builders<DeliveryDocument>.Filter.Eq(d => d.Id, delivery.Id),
                Builders<DeliveryDocument>.Update
                    .Set(d => d.Status, delivery.Status)
                    .Set(d => d.Attempts, delivery.Attempts)
                    .Set(d => d.NextAttemptAt, delivery.NextAttemptAt.ToUnixTimeMilliseconds())
                    .Set(d => d.UpdatedAt, delivery.UpdatedAt.ToUnixTimeMilliseconds())
                    .Set(d => d.LastError, delivery.LastError)
                    .Set(d => d.LastStatusCode, delivery.LastStatusCode)
                    .Set(d => d.RemoteId, delivery.RemoteId)
                    .Set(d => d.ClaimedUntil, null))),
            new BulkWriteOptions { IsOrdered = false },
            cancellationToken);

    public async Task<string?> RemoteIdAsync(string deliveryId, CancellationToken cancellationToken) =>
        (await _deliveries.Find(d => d.Id == deliveryId && d.Status == DeliveryStatus.Succeeded).FirstOrDefaultAsync(cancellationToken))?.RemoteId;

    public async Task<DeliveryPage> ListDeliveriesAsync(string projectId, string? channelId, string? status, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var filter = Builders<DeliveryDocument>.Filter;
        var where = filter.Eq(d => d.ProjectId, projectId);
        if (channelId is not null)
        {
            where &= filter.Eq(d => d.ChannelId, channelId);
        }

        if (status is not null)
        {
            where &= filter.Eq(d => d.Status, status);
        }

        if (DeliveryCursor.TryDecode(cursor, out var afterMs, out var afterId))
        {
            where &= filter.Lt(d => d.CreatedAt, afterMs) | (filter.Eq(d => d.CreatedAt, afterMs) & filter.Lt(d => d.Id, afterId));
        }

        var documents = await _deliveries.Find(where).SortByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Limit(limit + 1).ToListAsync(cancellationToken);
        return DeliveryCursor.Page(documents.Select(d => d.ToDelivery()).ToList(), limit);
    }

    public async Task<VapidKey> GetOrAddVapidKeyAsync(VapidKey created, CancellationToken cancellationToken)
    {
        try
        {
            await _vapid.InsertOneAsync(new VapidDocument
            {
                Id = VapidId,
                PrivateKey = secrets.SealVapidKey(created.PrivateKey),
                PublicKey = created.PublicKey,
                CreatedAt = created.CreatedAt.ToUnixTimeMilliseconds(),
            }, cancellationToken: cancellationToken);
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            // Another replica stored its key first: everyone uses that one.
        }

        var stored = await _vapid.Find(v => v.Id == VapidId).SingleAsync(cancellationToken);
        return new VapidKey(secrets.OpenVapidKey(stored.PrivateKey), stored.PublicKey, DateTimeOffset.FromUnixTimeMilliseconds(stored.CreatedAt));
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

    public async Task<PushSubscription?> GetSubscriptionAsync(string projectId, string subscriptionId, CancellationToken cancellationToken) =>
        (await _subscriptions.Find(s => s.Id == projectId + "/" + subscriptionId).FirstOrDefaultAsync(cancellationToken))?.ToSubscription();

    public async Task<bool> DeleteSubscriptionAsync(string projectId, string subscriptionId, CancellationToken cancellationToken) =>
        (await _subscriptions.DeleteOneAsync(s => s.Id == projectId + "/" + subscriptionId, cancellationToken)).DeletedCount == 1;

    public Task DeleteSubscriptionsByEndpointAsync(string endpoint, CancellationToken cancellationToken) =>
        _subscriptions.DeleteManyAsync(s => s.Endpoint == endpoint, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => MongoClientProvider.PingAsync(database, cancellationToken);

    public async Task<int> ResealSecretsAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var document in (await _channels.Find(FilterDefinition<ChannelDocument>.Empty).ToListAsync(cancellationToken)).Where(d => !secrets.ChannelIsCurrent(d.Definition)))
        {
            // Only if unchanged since read: a replica saving the channel meanwhile seals it itself.
            var result = await _channels.ReplaceOneAsync(c => c.Id == document.Id && c.Definition == document.Definition,
                ChannelDocument.From(document.ToChannel(secrets), secrets), cancellationToken: cancellationToken);
            count += (int)result.ModifiedCount;
        }

        foreach (var document in (await _secrets.Find(FilterDefinition<SecretDocument>.Empty).ToListAsync(cancellationToken)).Where(d => !secrets.IsCurrent(d.Secret)))
        {
            var resealed = secrets.SealActionSecret(document.ProjectId, secrets.OpenActionSecret(document.ProjectId, document.Secret));
            var result = await _secrets.UpdateOneAsync(d => d.ProjectId == document.ProjectId && d.Secret == document.Secret,
                Builders<SecretDocument>.Update.Set(d => d.Secret, resealed), cancellationToken: cancellationToken);
            count += (int)result.ModifiedCount;
        }

        if (await _vapid.Find(v => v.Id == VapidId).FirstOrDefaultAsync(cancellationToken) is { } vapid && !secrets.IsCurrent(vapid.PrivateKey))
        {
            var result = await _vapid.UpdateOneAsync(v => v.Id == VapidId && v.PrivateKey == vapid.PrivateKey,
                Builders<VapidDocument>.Update.Set(v => v.PrivateKey, secrets.SealVapidKey(secrets.OpenVapidKey(vapid.PrivateKey))), cancellationToken: cancellationToken);
            count += (int)result.ModifiedCount;
        }

        return count;
    }

    public async Task<Channel?> GetAsync(string projectId, string channelId, CancellationToken cancellationToken) =>
        (await _channels.Find(c => c.Id == Key(projectId, channelId)).FirstOrDefaultAsync(cancellationToken))?.ToChannel(secrets);

    public async Task<IReadOnlyList<Channel>> ListAsync(string projectId, CancellationToken cancellationToken) =>
        (await _channels.Find(c => c.ProjectId == projectId).SortBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(cancellationToken))
        .Select(c => c.ToChannel(secrets)).ToList();

    public Task SaveAsync(Channel channel, CancellationToken cancellationToken) =>
        _channels.ReplaceOneAsync(c => c.Id == Key(channel.ProjectId, channel.Id), ChannelDocument.From(channel, secrets), new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<bool> DeleteAsync(string projectId, string channelId, CancellationToken cancellationToken) =>
        (await _channels.DeleteOneAsync(c => c.Id == Key(projectId, channelId), cancellationToken)).DeletedCount == 1;

    // Project ids are generated (letters, digits, '-'), so '/' cannot make two keys collide.
    private static string Key(string projectId, string channelId) => projectId + "/" + channelId;

    private sealed class RunDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("event")] public required string EventId { get; init; }

        [BsonElement("key")] public required string ActionKey { get; init; }

        [BsonElement("status")] public required string Status { get; init; }

        [BsonElement("exclusive")] public bool Exclusive { get; init; }

        /// <summary>Exclusive and not failed: the partial unique index allows one such run per event action.</summary>
        [BsonElement("holds")] public bool Holds { get; init; }

        [BsonElement("by")] public required string PressedBy { get; init; }

        [BsonElement("createdAt")] public long CreatedAt { get; init; }

        [BsonElement("updatedAt")] public long UpdatedAt { get; init; }

        [BsonElement("code")] public int? StatusCode { get; init; }

        [BsonElement("error")] public string? Error { get; init; }

        public static RunDocument From(ActionRun r) => new()
        {
            Id = r.Id,
            ProjectId = r.ProjectId,
            EventId = r.EventId,
            ActionKey = r.ActionKey,
            Status = r.Status,
            Exclusive = r.Exclusive,
            Holds = r.Exclusive && r.Status != ActionRunStatus.Failed,
            PressedBy = r.PressedBy,
            CreatedAt = r.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAt = r.UpdatedAt.ToUnixTimeMilliseconds(),
            StatusCode = r.StatusCode,
            Error = r.Error,
        };

        public ActionRun ToRun() => new(Id, ProjectId, EventId, ActionKey, Status, Exclusive, PressedBy,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt), StatusCode, Error);
    }

    private sealed class SettingsDocument
    {
        [BsonId] public required string ProjectId { get; init; }

        [BsonElement("notifyTestEvents")] public bool NotifyTestEvents { get; init; }
    }

    private sealed class SecretDocument
    {
        [BsonId] public required string ProjectId { get; init; }

        [BsonElement("secret")] public required string Secret { get; init; }
    }

    private sealed class DeliveryDocument
    {
        [BsonId] public required string Id { get; init; }

        [BsonElement("p")] public required string ProjectId { get; init; }

        [BsonElement("channel")] public required string ChannelId { get; init; }

        [BsonElement("source")] public required string SourceId { get; init; }

        [BsonElement("message")] public required string Message { get; init; }

        [BsonElement("status")] public required string Status { get; init; }

        [BsonElement("attempts")] public int Attempts { get; init; }

        [BsonElement("nextAttemptAt")] public long NextAttemptAt { get; init; }

        [BsonElement("createdAt")] public long CreatedAt { get; init; }

        [BsonElement("updatedAt")] public long UpdatedAt { get; init; }

        [BsonElement("lastError")] public string? LastError { get; init; }

        [BsonElement("lastStatus")] public int? LastStatusCode { get; init; }

        [BsonElement("remoteId")] public string? RemoteId { get; init; }

        [BsonElement("claimedUntil")] public long? ClaimedUntil { get; init; }

        public static DeliveryDocument From(Delivery d) => new()
        {
            Id = d.Id,
            ProjectId = d.ProjectId,
            ChannelId = d.ChannelId,
            SourceId = d.SourceId,
            Message = DeliveryJson.Write(d.Message),
            Status = d.Status,
            Attempts = d.Attempts,
            NextAttemptAt = d.NextAttemptAt.ToUnixTimeMilliseconds(),
            CreatedAt = d.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAt = d.UpdatedAt.ToUnixTimeMilliseconds(),
            LastError = d.LastError,
            LastStatusCode = d.LastStatusCode,
        };

        public Delivery ToDelivery() => new(Id, ProjectId, ChannelId, SourceId, DeliveryJson.Read(Message), Status, Attempts,
            DateTimeOffset.FromUnixTimeMilliseconds(NextAttemptAt), DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt), LastError, LastStatusCode);
    }

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

        public static ChannelDocument From(Channel channel, StoredSecrets secrets) => new()
        {
            Id = Key(channel.ProjectId, channel.Id),
            ProjectId = channel.ProjectId,
            ChannelId = channel.Id,
            Definition = secrets.WriteChannel(channel),
            CreatedAt = channel.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAt = channel.UpdatedAt.ToUnixTimeMilliseconds(),
        };

        public Channel ToChannel(StoredSecrets secrets) => new(ChannelId, ProjectId, secrets.ReadChannel(ProjectId, ChannelId, Definition),
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt));
    }
}
