using Operational.Rules.Storage;
using Operational.Rules.Storage.MongoDb;
using Operational.Rules.Storage.Sqlite;
using Operational.ServiceDefaults.Storage;
using Operational.TestSupport;

namespace Operational.IntegrationTests.Rules;

public sealed class SqliteRulesStoreTests : RulesStoreContract
{
    private readonly TempDirectory _data = new("operational-rules");

    protected override Task<IRulesStore> CreateStoreAsync() =>
        Task.FromResult<IRulesStore>(new SqliteRulesStore(new SqliteDatabase(Path.Combine(_data.Path, "rules.db"))));

    public override ValueTask DisposeAsync()
    {
        _data.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class MongoRulesStoreTests : RulesStoreContract
{
    private MongoTestDatabase? _mongo;

    protected override Task<IRulesStore> CreateStoreAsync()
    {
        _mongo ??= MongoTestDatabase.FromEnvironment();
        return Task.FromResult<IRulesStore>(new MongoRulesStore(_mongo.Database));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_mongo is not null)
        {
            await _mongo.DisposeAsync();
        }
    }
}
