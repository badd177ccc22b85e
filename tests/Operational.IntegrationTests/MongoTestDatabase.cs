using MongoDB.Driver;

namespace Operational.IntegrationTests;

/// <summary>
/// A throw-away database on the MongoDB server named by <c>OPERATIONAL_TEST_MONGODB</c>
/// (a connection string). These machines have no MongoDB server, so without the variable
/// the MongoDB half of each contract suite is skipped; the README says how to run it.
/// </summary>
public sealed class MongoTestDatabase : IAsyncDisposable
{
    public const string Variable = "OPERATIONAL_TEST_MONGODB";

    private readonly MongoClient _client;

    private MongoTestDatabase(MongoClient client, IMongoDatabase database)
    {
        _client = client;
        Database = database;
    }

    public IMongoDatabase Database { get; }

    public static MongoTestDatabase FromEnvironment()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        Assert.SkipWhen(string.IsNullOrEmpty(connectionString), $"{Variable} is not set: MongoDB contract tests need a server (see README).");
        var client = new MongoClient(connectionString);
        return new MongoTestDatabase(client, client.GetDatabase($"operational_test_{Guid.NewGuid():N}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DropDatabaseAsync(Database.DatabaseNamespace.DatabaseName);
        _client.Dispose();
    }
}
