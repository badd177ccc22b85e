using Operational.ServiceDefaults.Storage;
using Operational.Storage.Events;
using Operational.Storage.Events.MongoDb;
using Operational.Storage.Events.Sqlite;
using Operational.TestSupport;

namespace Operational.IntegrationTests.Storage;

public sealed class SqliteEventStoreTests : EventStoreContract
{
    private readonly TempDirectory _data = new("operational-events");

    protected override Task<IEventStore> CreateStoreAsync() =>
        Task.FromResult<IEventStore>(new SqliteEventStore(new SqliteDatabase(Path.Combine(_data.Path, "events.db"))));

    public override ValueTask DisposeAsync()
    {
        _data.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class MongoEventStoreTests : EventStoreContract
{
    private MongoTestDatabase? _mongo;

    protected override Task<IEventStore> CreateStoreAsync()
    {
        _mongo = MongoTestDatabase.FromEnvironment();
        return Task.FromResult<IEventStore>(new MongoEventStore(_mongo.Database));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_mongo is not null)
        {
            await _mongo.DisposeAsync();
        }
    }
}
