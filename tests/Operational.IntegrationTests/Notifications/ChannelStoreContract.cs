using Operational.Notifications.Channels;
using Operational.Notifications.Channels.MongoDb;
using Operational.Notifications.Channels.Sqlite;
using Operational.ServiceDefaults.Storage;
using Operational.TestSupport;

namespace Operational.IntegrationTests.Notifications;

/// <summary>What every channel store must do; SQLite and MongoDB run the same tests.</summary>
public abstract class ChannelStoreContract : StoreContract<IChannelStore>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 11, 0, 0, TimeSpan.Zero);

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

public sealed class SqliteChannelStoreTests : ChannelStoreContract
{
    private readonly TempDirectory _data = new("operational-channels");

    protected override Task<IChannelStore> CreateStoreAsync() =>
        Task.FromResult<IChannelStore>(new SqliteChannelStore(new SqliteDatabase(Path.Combine(_data.Path, "notifications.db"))));

    public override ValueTask DisposeAsync()
    {
        _data.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class MongoChannelStoreTests : ChannelStoreContract
{
    private MongoTestDatabase? _mongo;

    protected override Task<IChannelStore> CreateStoreAsync()
    {
        _mongo ??= MongoTestDatabase.FromEnvironment();
        return Task.FromResult<IChannelStore>(new MongoChannelStore(_mongo.Database));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_mongo is not null)
        {
            await _mongo.DisposeAsync();
        }
    }
}
