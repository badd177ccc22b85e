using Operational.Contexts.Tracking;
using Operational.Contexts.Tracking.MongoDb;
using Operational.Contexts.Tracking.Sqlite;

namespace Operational.IntegrationTests.Contexts;

public sealed class SqliteContextStoreTests : ContextStoreContract
{
    protected override IContextStore CreateStore() => new SqliteContextStore(Databases.Sqlite("contexts"), DefaultTimeout);
}

public sealed class MongoContextStoreTests : ContextStoreContract
{
    protected override IContextStore CreateStore() => new MongoContextStore(Databases.Mongo, DefaultTimeout);
}
