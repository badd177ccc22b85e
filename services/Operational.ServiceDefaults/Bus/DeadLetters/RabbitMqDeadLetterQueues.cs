using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Operational.Contracts.Topology;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Operational.ServiceDefaults.Bus.DeadLetters;

/// <summary>
/// RabbitMQ: the dead letters of a queue are its <c>_error</c> queue. Replaying moves each message
/// back into its queue (the broker confirms it there before it leaves <c>_error</c>, so a replay cut
/// short loses nothing, at worst a message is in both and consumed twice — consumers are idempotent)
/// without the fault headers. Only the messages there when the replay started are moved, so one that
/// fails again at once is not spun around.
/// </summary>
internal sealed class RabbitMqDeadLetterQueues(IOptions<BusOptions> options, ILogger<RabbitMqDeadLetterQueues> logger) : IDeadLetterQueues
{
    private const int NotFound = 404;

    public async Task<IReadOnlyList<DeadLetterQueue>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        var queues = new List<DeadLetterQueue>();
        foreach (var queue in ConsumerQueues.All)
        {
            queues.Add(new DeadLetterQueue(queue, await CountAsync(connection, ConsumerQueues.ErrorQueueOf(queue), cancellationToken)));
        }

        return queues;
    }

    public async Task<long> ReplayAsync(string? queue, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        long replayed = 0;
        foreach (var target in queue is null ? ConsumerQueues.All : [queue])
        {
            var errors = ConsumerQueues.ErrorQueueOf(target);
            var waiting = await CountAsync(connection, errors, cancellationToken);
            if (waiting == 0)
            {
                continue;
            }

            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            var moved = 0L;
            while (moved < waiting && await channel.BasicGetAsync(errors, autoAck: false, cancellationToken) is { } message)
            {
                var properties = new BasicProperties(message.BasicProperties);
                if (properties.Headers is { } headers)
                {
                    properties.Headers = headers
                        .Where(h => !h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && h.Key != "MT-Reason")
                        .ToDictionary(h => h.Key, h => h.Value);
                }

                // To the queue itself through the default exchange; mandatory, so a missing queue is an error, not a loss.
                await channel.BasicPublishAsync(string.Empty, target, mandatory: true, properties, message.Body, cancellationToken);
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
                moved++;
            }

            logger.LogWarning("Replayed {Count} dead letters from {ErrorQueue} into {Queue}", moved, errors, target);
            replayed += moved;
        }

        return replayed;
    }

    private Task<IConnection> ConnectAsync(CancellationToken cancellationToken) =>
        RabbitMqConnections.Factory(options.Value.RabbitMq, "operational-dead-letters").CreateConnectionAsync(cancellationToken);

    /// <summary>The messages waiting in a queue; 0 when it does not exist (nothing ever failed there).</summary>
    private static async Task<long> CountAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel, so each check gets its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == NotFound)
        {
            return 0;
        }
    }
}
