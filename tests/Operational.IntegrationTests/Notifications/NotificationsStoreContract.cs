using Operational.Contracts.Api;
using Operational.Notifications.Actions;
using Operational.Notifications.Channels;
using Operational.Notifications.Deliveries;
using Operational.Notifications.Push;
using Operational.Notifications.Storage;
using Operational.Notifications.Storage.MongoDb;
using Operational.Notifications.Storage.Sqlite;
using Operational.ServiceDefaults.Secrets;
using Operational.ServiceDefaults.Storage;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Operational.IntegrationTests.Notifications;

/// <summary>What every notifications store (channels, VAPID key, push subscriptions) must do; SQLite and MongoDB run the same tests.</summary>
public abstract class NotificationsStoreContract : StoreContract<IChannelStore>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 11, 0, 0, TimeSpan.Zero);

    private IPushStore Push => (IPushStore)Store;

    private IDeliveryStore Deliveries => (IDeliveryStore)Store;

    private IActionStore Actions => (IActionStore)Store;

    /// <summary>The key the next <see cref="StoreContract{TStore}.CreateStore"/> seals and opens secrets with.</summary>
    protected SecretBox Box { get; set; } = new(SecretBox.NewKey());

    /// <summary>Everything the store wrote, as text, to look for secrets in.</summary>
    protected abstract Task<string> StoredTextAsync();

    /// <summary>Writes a channel as a version before sealing did (its secrets in plain text).</summary>
    protected abstract Task SeedPlaintextChannelAsync(string projectId, string channelId, string definitionJson);

    [Fact]
    public async Task Secrets_are_sealed_at_rest_and_open_for_the_service()
    {
        var channel = new Channel("ch1", "p1", new ChannelDefinition("mail", ChannelKinds.Email, null, null, null,
            new EmailSettings("smtp.example.com", 587, "starttls", "ops", "pw-3f9a1c7e55d2", "ops@example.com", ["a@example.com"]), null, null), T0, T0);
        await Store.SaveAsync(channel, CancellationToken.None);
        await Store.SaveAsync(new Channel("ch2", "p1", new ChannelDefinition("bot", ChannelKinds.Telegram, null, null, null, null, new TelegramSettings("123456:tok-8d1e0b6a4f", "-100"), null), T0, T0),
            CancellationToken.None);
        var actionSecret = await Actions.GetOrAddActionSecretAsync("p1", "as-7b2c9e41d8f0", CancellationToken.None);
        var vapid = await Push.GetOrAddVapidKeyAsync(new VapidKey("vapid-private-5e8a2d"u8.ToArray(), [4, 1, 2], T0), CancellationToken.None);

        var stored = await StoredTextAsync();
        Assert.DoesNotContain("pw-3f9a1c7e55d2", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-8d1e0b6a4f", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("as-7b2c9e41d8f0", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("vapid-private-5e8a2d", stored, StringComparison.Ordinal);
        Assert.Contains("smtp.example.com", stored, StringComparison.Ordinal); // the rest stays readable

        Assert.Equal("pw-3f9a1c7e55d2", (await Store.GetAsync("p1", "ch1", CancellationToken.None))!.Definition.Email!.Password);
        Assert.Equal("123456:tok-8d1e0b6a4f", (await Store.ListAsync("p1", CancellationToken.None)).Single(c => c.Id == "ch2").Definition.Telegram!.BotToken);
        Assert.Equal("as-7b2c9e41d8f0", actionSecret);
        Assert.Equal("vapid-private-5e8a2d"u8.ToArray(), vapid.PrivateKey);
        Assert.Equal(0, await ((ISecretResealing)Store).ResealSecretsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task After_a_key_rotation_the_old_key_opens_until_everything_is_sealed_again()
    {
        var oldKey = SecretBox.NewKey();
        var newKey = SecretBox.NewKey();
        Box = new SecretBox(oldKey);
        var before = CreateStore();
        await before.InitializeAsync(CancellationToken.None);
        await before.SaveAsync(new Channel("ch1", "p1", new ChannelDefinition("phones", ChannelKinds.Ntfy, null, null, null, null, null, new NtfySettings("https://ntfy.sh", "ops", "tk_rotate")), T0, T0),
            CancellationToken.None);
        await ((IActionStore)before).GetOrAddActionSecretAsync("p1", "as_rotate", CancellationToken.None);

        Box = new SecretBox(newKey, [oldKey]);
        var rotated = CreateStore();
        Assert.Equal("tk_rotate", (await rotated.GetAsync("p1", "ch1", CancellationToken.None))!.Definition.Ntfy!.Token);
        Assert.Equal(2, await ((ISecretResealing)rotated).ResealSecretsAsync(CancellationToken.None));

        Box = new SecretBox(newKey);
        var onlyNew = CreateStore();
        Assert.Equal("tk_rotate", (await onlyNew.GetAsync("p1", "ch1", CancellationToken.None))!.Definition.Ntfy!.Token);
        Assert.Equal("as_rotate", await ((IActionStore)onlyNew).GetOrAddActionSecretAsync("p1", "ignored", CancellationToken.None));
    }

    [Fact]
    public async Task Secrets_stored_before_sealing_open_and_are_sealed_again()
    {
        await SeedPlaintextChannelAsync("p1", "old", """{"name":"old hook","kind":"webhook","webhook":{"url":"https://example.com/h","secret":"whsec_plaintextsecret00000000000000"}}""");

        Assert.Equal("whsec_plaintextsecret00000000000000", (await Store.GetAsync("p1", "old", CancellationToken.None))!.Definition.Webhook!.Secret);
        Assert.Equal(1, await ((ISecretResealing)Store).ResealSecretsAsync(CancellationToken.None));
        Assert.Equal("whsec_plaintextsecret00000000000000", (await Store.GetAsync("p1", "old", CancellationToken.None))!.Definition.Webhook!.Secret);
        Assert.Equal(0, await ((ISecretResealing)Store).ResealSecretsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Exclusive_action_runs_once_unless_it_failed_and_repeatable_ones_run_freely()
    {
        var replica = (IActionStore)CreateStore();
        ActionRun Run(string id, string key, bool exclusive) => new(id, "p1", "e1", key, ActionRunStatus.Pending, exclusive, "k1", T0, T0);

        Assert.True(await Actions.TryStartRunAsync(Run("r1", "refund", exclusive: true), CancellationToken.None));
        Assert.False(await replica.TryStartRunAsync(Run("r2", "refund", exclusive: true), CancellationToken.None)); // pressed twice at once
        await Actions.FinishRunAsync(Run("r1", "refund", exclusive: true) with { Status = ActionRunStatus.Failed, Error = "500", StatusCode = 500 }, CancellationToken.None);
        Assert.True(await replica.TryStartRunAsync(Run("r3", "refund", exclusive: true), CancellationToken.None)); // a failure does not count
        await replica.FinishRunAsync(Run("r3", "refund", exclusive: true) with { Status = ActionRunStatus.Done }, CancellationToken.None);
        Assert.False(await Actions.TryStartRunAsync(Run("r4", "refund", exclusive: true), CancellationToken.None));
        Assert.True(await Actions.TryStartRunAsync(Run("r5", "resend", exclusive: false), CancellationToken.None));
        Assert.True(await Actions.TryStartRunAsync(Run("r6", "resend", exclusive: false), CancellationToken.None));

        var runs = await Actions.RunsAsync("p1", "e1", CancellationToken.None);
        Assert.Equal(["r1", "r3", "r5", "r6"], runs.Select(r => r.Id).Order());
        Assert.Equal((ActionRunStatus.Failed, 500), (runs.Single(r => r.Id == "r1").Status, runs.Single(r => r.Id == "r1").StatusCode));
        Assert.Empty(await Actions.RunsAsync("p2", "e1", CancellationToken.None));
    }

    [Fact]
    public async Task Action_secret_is_made_once_per_project()
    {
        var first = await Actions.GetOrAddActionSecretAsync("p1", "whsec_first", CancellationToken.None);
        var again = await Actions.GetOrAddActionSecretAsync("p1", "whsec_second", CancellationToken.None);
        var other = await Actions.GetOrAddActionSecretAsync("p2", "whsec_other", CancellationToken.None);

        Assert.Equal(("whsec_first", "whsec_first", "whsec_other"), (first, again, other));
    }

    [Fact]
    public async Task Deliveries_are_queued_once_claimed_by_one_replica_and_recorded()
    {
        var replica = (IDeliveryStore)CreateStore();
        Delivery Queued(string source, string channel, DateTimeOffset at) =>
            new(Delivery.IdFor(source, channel), "p1", channel, source, new NotificationMessage("alert.triggered", "t", "b", "error", null, null), DeliveryStatus.Pending, 0, at, at, at);
        await Deliveries.AddDeliveriesAsync([Queued("a", "ch1", T0), Queued("a", "ch2", T0), Queued("b", "ch1", T0.AddSeconds(10))], CancellationToken.None);
        await Deliveries.AddDeliveriesAsync([Queued("a", "ch1", T0)], CancellationToken.None); // the source message again

        var claimed = await Deliveries.ClaimDueAsync(T0.AddSeconds(1), TimeSpan.FromSeconds(30), 10, CancellationToken.None);
        Assert.Equal(["a:ch1", "a:ch2"], claimed.Select(d => d.Id).Order());
        Assert.Empty(await replica.ClaimDueAsync(T0.AddSeconds(2), TimeSpan.FromSeconds(30), 10, CancellationToken.None));

        await Deliveries.RecordAttemptsAsync([claimed[0] with { Status = DeliveryStatus.Pending, Attempts = 1, NextAttemptAt = T0.AddSeconds(5), LastError = "500", LastStatusCode = 500 }], CancellationToken.None);
        var retried = await replica.ClaimDueAsync(T0.AddSeconds(11), TimeSpan.FromSeconds(30), 10, CancellationToken.None);
        Assert.Equal([claimed[0].Id, "b:ch1"], retried.Select(d => d.Id).Order());
        Assert.Equal((1, "500", 500), (retried.Single(d => d.Id == claimed[0].Id).Attempts, retried.Single(d => d.Id == claimed[0].Id).LastError, retried.Single(d => d.Id == claimed[0].Id).LastStatusCode));

        await replica.RecordAttemptsAsync([retried[0] with { Status = DeliveryStatus.Succeeded, Attempts = 2, UpdatedAt = T0.AddSeconds(12) }], CancellationToken.None);
        var page = await Deliveries.ListDeliveriesAsync("p1", null, DeliveryStatus.Succeeded, 10, null, CancellationToken.None);
        Assert.Equal([retried[0].Id], page.Deliveries.Select(d => d.Id));
        var byChannel = await Deliveries.ListDeliveriesAsync("p1", "ch1", null, 1, null, CancellationToken.None);
        Assert.Single(byChannel.Deliveries);
        Assert.NotNull(byChannel.NextCursor);
        var next = await Deliveries.ListDeliveriesAsync("p1", "ch1", null, 1, byChannel.NextCursor, CancellationToken.None);
        Assert.NotEqual(byChannel.Deliveries[0].Id, Assert.Single(next.Deliveries).Id);
        Assert.Empty((await Deliveries.ListDeliveriesAsync("p2", null, null, 10, null, CancellationToken.None)).Deliveries);
    }

    [Fact]
    public async Task First_vapid_key_stored_is_the_one_every_replica_gets()
    {
        var first = new VapidKey([1, 2, 3], [4, 5, 6], T0);
        var replica = (IPushStore)CreateStore();

        var stored = await Push.GetOrAddVapidKeyAsync(first, CancellationToken.None);
        var again = await replica.GetOrAddVapidKeyAsync(new VapidKey([9], [9], T0.AddHours(1)), CancellationToken.None);

        Assert.Equal(first.PublicKey, stored.PublicKey);
        Assert.Equal(first.PrivateKey, again.PrivateKey);
        Assert.Equal(first.PublicKey, again.PublicKey);
        Assert.Equal(T0, again.CreatedAt);
    }

    [Fact]
    public async Task Subscriptions_are_one_per_project_and_endpoint_and_can_be_forgotten_by_endpoint()
    {
        var first = await Push.SaveSubscriptionAsync(new PushSubscription("ps1", "p1", "https://push.example/a", [1], [2], T0), CancellationToken.None);
        var refreshed = await Push.SaveSubscriptionAsync(new PushSubscription("ps2", "p1", "https://push.example/a", [3], [4], T0.AddMinutes(1)), CancellationToken.None);
        await Push.SaveSubscriptionAsync(new PushSubscription("ps3", "p1", "https://push.example/b", [5], [6], T0.AddMinutes(2)), CancellationToken.None);
        await Push.SaveSubscriptionAsync(new PushSubscription("ps4", "p2", "https://push.example/a", [7], [8], T0), CancellationToken.None);

        Assert.Equal(("ps1", T0), (first.Id, first.CreatedAt));
        Assert.Equal(("ps1", (byte)3, (byte)4), (refreshed.Id, refreshed.P256dh[0], refreshed.Auth[0]));
        Assert.Equal(["ps1", "ps3"], (await Push.SubscriptionsAsync("p1", CancellationToken.None)).Select(s => s.Id));

        Assert.True(await Push.DeleteSubscriptionAsync("p1", "ps3", CancellationToken.None));
        Assert.False(await Push.DeleteSubscriptionAsync("p1", "ps3", CancellationToken.None));
        await Push.DeleteSubscriptionsByEndpointAsync("https://push.example/a", CancellationToken.None); // the push service said 410
        Assert.Empty(await Push.SubscriptionsAsync("p1", CancellationToken.None));
        Assert.Empty(await Push.SubscriptionsAsync("p2", CancellationToken.None));
    }

    [Fact]
    public async Task Channels_are_saved_listed_per_project_replaced_and_deleted()
    {
        var hook = new Channel("ch1", "p1", new ChannelDefinition("hook", ChannelKinds.Webhook, new WebhookSettings("https://example.com", "whsec_x"), null, null, null, null, null), T0, T0);
        await Store.SaveAsync(hook, CancellationToken.None);
        await Store.SaveAsync(new Channel("ch2", "p1", new ChannelDefinition("phones", ChannelKinds.Ntfy, null, null, null, null, null, new NtfySettings("https://ntfy.sh", "ops", null)), T0.AddSeconds(1), T0.AddSeconds(1)), CancellationToken.None);
        await Store.SaveAsync(new Channel("ch1", "p2", hook.Definition, T0, T0), CancellationToken.None);
        await Store.SaveAsync(hook with { Definition = hook.Definition with { Name = "renamed" }, UpdatedAt = T0.AddMinutes(1) }, CancellationToken.None);

        var read = await Store.GetAsync("p1", "ch1", CancellationToken.None);
        Assert.Equal(("renamed", "whsec_x", T0, T0.AddMinutes(1)), (read!.Definition.Name, read.Definition.Webhook!.Secret, read.CreatedAt, read.UpdatedAt));
        Assert.Equal(["ch1", "ch2"], (await Store.ListAsync("p1", CancellationToken.None)).Select(c => c.Id));

        Assert.True(await Store.DeleteAsync("p1", "ch1", CancellationToken.None));
        Assert.False(await Store.DeleteAsync("p1", "ch1", CancellationToken.None));
        Assert.Null(await Store.GetAsync("p1", "ch1", CancellationToken.None));
        Assert.NotNull(await Store.GetAsync("p2", "ch1", CancellationToken.None));
    }
}

public sealed class SqliteNotificationsStoreTests : NotificationsStoreContract
{
    protected override IChannelStore CreateStore() => new SqliteNotificationsStore(Databases.Sqlite("notifications"), new StoredSecrets(Box));

    protected override async Task<string> StoredTextAsync()
    {
        // Everything on disk: the database file and its write-ahead log.
        var path = Databases.Sqlite("notifications").FilePath;
        var bytes = await File.ReadAllBytesAsync(path);
        var wal = File.Exists(path + "-wal") ? await File.ReadAllBytesAsync(path + "-wal") : [];
        return System.Text.Encoding.Latin1.GetString([.. bytes, .. wal]);
    }

    protected override async Task SeedPlaintextChannelAsync(string projectId, string channelId, string definitionJson)
    {
        await using var connection = await Databases.Sqlite("notifications").OpenAsync();
        await connection.ExecuteAsync(null, "INSERT INTO channels (project_id, id, definition, created_at, updated_at) VALUES ($p, $id, $d, 0, 0)", CancellationToken.None,
            ("$p", projectId), ("$id", channelId), ("$d", definitionJson));
    }
}

public sealed class MongoNotificationsStoreTests : NotificationsStoreContract
{
    protected override IChannelStore CreateStore() => new MongoNotificationsStore(Databases.Mongo, new StoredSecrets(Box));

    protected override async Task<string> StoredTextAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var name in await (await Databases.Mongo.ListCollectionNamesAsync()).ToListAsync())
        {
            foreach (var document in await Databases.Mongo.GetCollection<MongoDB.Bson.BsonDocument>(name).Find(FilterDefinition<MongoDB.Bson.BsonDocument>.Empty).ToListAsync())
            {
                text.Append(document.ToJson());
                foreach (var binary in document.Values.OfType<MongoDB.Bson.BsonBinaryData>())
                {
                    text.Append(System.Text.Encoding.Latin1.GetString(binary.Bytes));
                }
            }
        }

        return text.ToString();
    }

    protected override Task SeedPlaintextChannelAsync(string projectId, string channelId, string definitionJson) =>
        Databases.Mongo.GetCollection<MongoDB.Bson.BsonDocument>("channels").InsertOneAsync(new MongoDB.Bson.BsonDocument
        {
            ["_id"] = projectId + "/" + channelId, ["p"] = projectId, ["c"] = channelId, ["definition"] = definitionJson, ["createdAt"] = 0L, ["updatedAt"] = 0L,
        });
}
