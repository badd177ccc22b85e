using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Operational.TestSupport;
using RabbitMQ.Client;

namespace Operational.Bench;

/// <summary>What a sustained run samples: events storage has committed, and how deep the consumer queues are.</summary>
internal sealed class StorageProbe : IAsyncDisposable
{
    private readonly IConnection? _connection;
    private readonly IChannel? _channel;
    private readonly IReadOnlyList<string> _queues;
    private readonly SqliteConnection _db;

    private StorageProbe(IConnection? connection, IChannel? channel, IReadOnlyList<string> queues, SqliteConnection db)
    {
        _connection = connection;
        _channel = channel;
        _queues = queues;
        _db = db;
    }

    /// <param name="broker">The broker and virtual host of the queues; null (standalone) for none.</param>
    public static async Task<StorageProbe> OpenAsync((RabbitMqNode Node, string VirtualHost)? broker, IReadOnlyList<string> queues, string eventsDb)
    {
        IConnection? connection = null;
        IChannel? channel = null;
        if (broker is { } b)
        {
            var factory = new ConnectionFactory { HostName = b.Node.Host, Port = b.Node.Port, VirtualHost = b.VirtualHost, UserName = "guest", Password = "guest" };
            connection = await factory.CreateConnectionAsync();
            channel = await connection.CreateChannelAsync();
        }

        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = eventsDb, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await db.OpenAsync();
        return new StorageProbe(connection, channel, broker is null ? [] : queues, db);
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

    /// <summary>Messages waiting in each consumer queue (none without a broker).</summary>
    public async Task<IReadOnlyDictionary<string, long>> QueueDepthsAsync()
    {
        var depths = new Dictionary<string, long>();
        foreach (var queue in _queues)
        {
            depths[queue] = (await _channel!.QueueDeclarePassiveAsync(queue)).MessageCount;
        }

        return depths;
    }

    /// <summary>Waits until <paramref name="expected"/> more events than <paramref name="before"/> are stored and every queue is empty; returns the seconds it took.</summary>
    public async Task<double> DrainAsync(long before, long expected)
    {
        var drain = Stopwatch.StartNew();
        while ((await StoredAsync() - before < expected || (await QueueDepthsAsync()).Values.Any(d => d > 0)) && drain.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(50);
        }

        return drain.Elapsed.TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
