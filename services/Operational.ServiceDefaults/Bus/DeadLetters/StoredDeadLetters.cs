using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging;
using Operational.Contracts.Topology;
using Operational.ServiceDefaults.Storage;

namespace Operational.ServiceDefaults.Bus.DeadLetters;

/// <summary>
/// The in-memory bus (standalone host): its <c>_error</c> queues live in memory and would be gone
/// at the next start, so dead letters are kept in <c>dead-letters.db</c> in the data folder
/// instead, and a replay sends each back to its queue.
/// </summary>
/// <remarks>Takes the bus lazily: it observes the bus's faults, so it exists before the bus does.</remarks>
public sealed class StoredDeadLetters(SqliteDatabase database, Func<IBus> bus, ILogger<StoredDeadLetters> logger)
    : IDeadLetters, IDeadLetterQueues, IServiceStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE dead_letters (
            id INTEGER PRIMARY KEY,
            queue TEXT NOT NULL,
            message_type TEXT NOT NULL,
            payload BLOB NOT NULL,
            reason TEXT NOT NULL,
            failed_at INTEGER NOT NULL
        );
        CREATE INDEX dead_letters_queue ON dead_letters (queue, id);
        """,
    ];

    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Migrations, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => database.PingAsync(cancellationToken);

    public Task MoveAsync<T>(ConsumeContext<T> message, Exception reason, CancellationToken cancellationToken)
        where T : class =>
        KeepAsync(message.ReceiveContext.InputAddress.AbsolutePath.Trim('/'), message.Message, reason, cancellationToken);

    /// <summary>Keeps <paramref name="message"/> as a dead letter of <paramref name="queue"/>, whatever carried it there.</summary>
    public async Task KeepAsync(string queue, object message, Exception reason, CancellationToken cancellationToken)
    {
        var type = message.GetType();
        await database.ExecuteAsync(
            "INSERT INTO dead_letters (queue, message_type, payload, reason, failed_at) VALUES ($queue, $type, $payload, $reason, $at)",
            cancellationToken,
            ("$queue", queue), ("$type", $"{type.FullName}, {type.Assembly.GetName().Name}"),
            ("$payload", JsonSerializer.SerializeToUtf8Bytes(message, type, Json)),
            ("$reason", $"{reason.GetType().Name}: {reason.Message}"), ("$at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        logger.LogError(reason, "A {MessageType} on {Queue} can never be consumed; it is kept with the dead letters (replay: POST /v1/dead-letters/replay)", type.Name, queue);
    }

    public async Task<IReadOnlyList<DeadLetterQueue>> ListAsync(CancellationToken cancellationToken)
    {
        var counts = (await database.QueryAsync("SELECT queue, COUNT(*) FROM dead_letters GROUP BY queue",
            reader => (Queue: reader.GetString(0), Count: reader.GetInt64(1)), cancellationToken)).ToDictionary(c => c.Queue, c => c.Count);
        return ConsumerQueues.All.Select(queue => new DeadLetterQueue(queue, counts.GetValueOrDefault(queue))).ToList();
    }

    public async Task<long> ReplayAsync(string? queue, CancellationToken cancellationToken)
    {
        var letters = await database.QueryAsync(
            "SELECT id, queue, message_type, payload FROM dead_letters WHERE $queue IS NULL OR queue = $queue ORDER BY id",
            reader => (Id: reader.GetInt64(0), Queue: reader.GetString(1), Type: reader.GetString(2), Payload: (byte[])reader.GetValue(3)),
            cancellationToken, ("$queue", queue));
        foreach (var letter in letters)
        {
            var type = Type.GetType(letter.Type, throwOnError: true)!;
            var message = JsonSerializer.Deserialize(letter.Payload, type, Json)!;
            var endpoint = await bus().GetSendEndpoint(new Uri($"queue:{letter.Queue}"));
            await endpoint.Send(message, type, cancellationToken);
            await database.ExecuteAsync("DELETE FROM dead_letters WHERE id = $id", cancellationToken, ("$id", letter.Id));
        }

        if (letters.Count > 0)
        {
            logger.LogWarning("Replayed {Count} dead letters", letters.Count);
        }

        return letters.Count;
    }
}

/// <summary>In-memory bus: a message that failed every attempt is kept with the <see cref="StoredDeadLetters"/>.</summary>
internal sealed class DeadLetterFaults(StoredDeadLetters deadLetters) : IConsumeObserver
{
    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class =>
        // A batch faults message by message as well; those are the ones kept.
        typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(Batch<>)
            ? Task.CompletedTask
            : deadLetters.MoveAsync(context, exception, CancellationToken.None);
}
