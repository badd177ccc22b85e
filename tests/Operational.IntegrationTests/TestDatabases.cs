using MongoDB.Driver;
using Operational.ServiceDefaults.Storage;
using Operational.TestSupport;

namespace Operational.IntegrationTests;

/// <summary>
/// Where a contract test's store keeps its data: SQLite files in a temporary folder, or one
/// throw-away MongoDB database (skipping the test without a server). Stores made twice from
/// the same instance share the data, as replicas do. Everything goes when it is disposed.
/// </summary>
public sealed class TestDatabases : IAsyncDisposable
{
    private TempDirectory? _folder;
    private MongoTestDatabase? _mongo;

    public SqliteDatabase Sqlite(string name)
    {
        _folder ??= new TempDirectory("operational-store");
        return new SqliteDatabase(Path.Combine(_folder.Path, $"{name}.db"));
    }

    public IMongoDatabase Mongo => (_mongo ??= MongoTestDatabase.FromEnvironment()).Database;

    public async ValueTask DisposeAsync()
    {
        _folder?.Dispose();
        if (_mongo is not null)
        {
            await _mongo.DisposeAsync();
        }
    }
}
