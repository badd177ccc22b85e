using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Operational.ServiceDefaults.Storage;

/// <summary>
/// One <see cref="MongoClient"/> per process (it pools connections and is thread-safe), and
/// one database per service so that each service owns its data.
/// </summary>
public sealed class MongoClientProvider(IOptions<StorageOptions> options) : IDisposable
{
    private readonly Lazy<MongoClient> _client = new(() => new MongoClient(options.Value.MongoDb.ConnectionString));

    public IMongoDatabase GetDatabase(string service) =>
        _client.Value.GetDatabase(options.Value.MongoDb.DatabasePrefix + service);

    public static Task PingAsync(IMongoDatabase database, CancellationToken cancellationToken) =>
        database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
