using Operational.Contexts.Tracking;
using Operational.Contexts.Tracking.MongoDb;
using Operational.Contexts.Tracking.Sqlite;
using Operational.ServiceDefaults.Storage;
using Operational.TestSupport;

namespace Operational.IntegrationTests.Contexts;

public sealed class SqliteContextStoreTests : ContextStoreContract
{
    private readonly TempDirectory _data = new("operational-contexts");

    protected override Task<IContextStore> CreateStoreAsync() =>
        Task.FromResult<IContextStore>(new SqliteContextStore(new SqliteDatabase(Path.Combine(_data.Path, "contexts.db")), DefaultTimeout));

    public override ValueTask DisposeAsync()
    {
        _data.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class MongoContextStoreTests : ContextStoreContract
{
    private MongoTestDatabase? _mongo;

    protected override Task<IContextStore> CreateStoreAsync()
    {
        _mongo ??= MongoTestDatabase.FromEnvironment();
        return Task.FromResult<IContextStore>(new MongoContextStore(_mongo.Database, DefaultTimeout));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_mongo is not null)
        {
            await _mongo.DisposeAsync();
        }
    }
}
