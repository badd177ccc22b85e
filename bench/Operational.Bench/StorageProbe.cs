using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Operational.Contracts.Topology;
using Operational.TestSupport;
using RabbitMQ.Client;

namespace Operational.Bench;

/// <summary>What a sustained run samples: events the storage process has committed, and the depth of its queue.</summary>
internal sealed class StorageProbe : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly SqliteConnection _db;

    private StorageProbe(IConnection connection, IChannel channel, SqliteConnection db)
    {
        _connection = connection;
        _channel = channel;
        _db = db;
    }

    public static async Task<StorageProbe> OpenAsync(RabbitMqNode broker, string vhost, string eventsDb)
    {
        var factory = new ConnectionFactory { HostName = broker.Host, Port = broker.Port, VirtualHost = vhost, UserName = "guest", Password = "guest" };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = eventsDb, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await db.OpenAsync();
        return new StorageProbe(connection, channel, db);
    }

    /// <summary>
    /// Events stored so far, as the highest row number: the benchmark only appends, so differences
    /// count rows. COUNT(*) would scan an index of the whole table every second, CPU taken from the
    /// system under test that grows with the table.
    /// </summary>
    public async Task<long> StoredAsync()
    {
        await using var command = _db.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM events";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<long> QueueDepthAsync() => (await _channel.QueueDeclarePassiveAsync(EventSubscriberQueues.Storage)).MessageCount;

    /// <summary>Waits until <paramref name="expected"/> more events than <paramref name="before"/> are stored; returns the seconds it took.</summary>
    public async Task<double> DrainAsync(long before, long expected)
    {
        var drain = Stopwatch.StartNew();
        while (await StoredAsync() - before < expected && drain.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(100);
        }

        return drain.Elapsed.TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
