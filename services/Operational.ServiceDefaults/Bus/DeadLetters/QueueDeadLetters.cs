using MassTransit;
using Microsoft.Extensions.Logging;
using Operational.Contracts.Topology;

namespace Operational.ServiceDefaults.Bus.DeadLetters;

/// <summary>
/// RabbitMQ: a poison message is sent to its queue's <c>_error</c> queue with the fault headers
/// MassTransit's own error transport writes, so it sits with every other failed message of that
/// queue and is replayed the same way.
/// </summary>
internal sealed class QueueDeadLetters(ILogger<QueueDeadLetters> logger) : IDeadLetters
{
    public async Task MoveAsync<T>(ConsumeContext<T> message, Exception reason, CancellationToken cancellationToken)
        where T : class
    {
        var queue = message.ReceiveContext.InputAddress.AbsolutePath.Trim('/');
        var errors = await message.GetSendEndpoint(new Uri($"queue:{ConsumerQueues.ErrorQueueOf(queue)}"));
        await errors.Send(message.Message, send =>
        {
            send.MessageId = message.MessageId;
            send.CorrelationId = message.CorrelationId;
            send.Headers.Set("MT-Reason", "fault");
            send.Headers.Set("MT-Fault-ExceptionType", reason.GetType().FullName);
            send.Headers.Set("MT-Fault-Message", reason.Message);
            send.Headers.Set("MT-Fault-Timestamp", DateTime.UtcNow.ToString("O"));
            send.Headers.Set("MT-Fault-StackTrace", reason.StackTrace);
            send.Headers.Set("MT-Fault-InputAddress", message.ReceiveContext.InputAddress.ToString());
        }, cancellationToken);
        logger.LogError(reason, "A {MessageType} on {Queue} can never be consumed; it was moved to {ErrorQueue} (replay: POST /v1/dead-letters/replay)",
            typeof(T).Name, queue, ConsumerQueues.ErrorQueueOf(queue));
    }
}
