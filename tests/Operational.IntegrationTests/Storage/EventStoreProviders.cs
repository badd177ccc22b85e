using Operational.Storage.Events;
using Operational.Storage.Events.MongoDb;
using Operational.Storage.Events.Sqlite;

namespace Operational.IntegrationTests.Storage;

public sealed class SqliteEventStoreTests : EventStoreContract
{
    protected override IEventStore CreateStore() => new SqliteEventStore(Databases.Sqlite("events"));
}

public sealed class MongoEventStoreTests : EventStoreContract
{
    protected override IEventStore CreateStore() => new MongoEventStore(Databases.Mongo);
}
