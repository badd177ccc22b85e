using MassTransit;
using Microsoft.Extensions.Logging;
using Operational.ServiceDefaults.Bus.DeadLetters;

namespace Operational.ServiceDefaults.Bus;

public static class EventBatchConsumption
{
    /// <summary>
    /// How a service consumes the ingested events when it writes them to its store: up to
    /// <paramref name="messageLimit"/> bus messages per call, waiting at most 5 ms for more
    /// (a lone event is handled after that), one call at a time per process (one writer keeps
    /// batches large; SQLite has one write lock anyway; replicas add writers), with enough
    /// prefetched to fill the next batch while one is being written.
    /// </summary>
    public static void ConsumeInBatches<TConsumer>(
        this IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, int messageLimit, IServiceProvider services)
        where TConsumer : class
    {
        endpoint.PrefetchCount = messageLimit * 2;
        endpoint.UseOperationalConsumeResilience(services);
        consumer.Options<BatchOptions>(batch => batch
            .SetMessageLimit(messageLimit)
            .SetTimeLimit(TimeSpan.FromMilliseconds(5))
            .SetConcurrencyLimit(1));
    }

    /// <summary>
    /// Handles a batch of messages together; if that fails for the messages' sake rather than a
    /// dependency's, handles each alone (three attempts) and moves only the ones that still fail to
    /// the dead letters. A batch succeeds or fails as a whole in MassTransit, so without this one bad
    /// message would take up to 63 good ones to <c>_error</c> with it, where nobody sees their events.
    /// A dependency's failure is not caught here: the whole batch waits and is retried
    /// (<see cref="ConsumeResilience"/>); what was written of it is written again idempotently.
    /// </summary>
    public static async Task HandleIsolatingPoisonAsync<T>(
        this ConsumeContext<Batch<T>> context,
        Func<IReadOnlyList<T>, Task> handle,
        IDeadLetters deadLetters,
        ILogger logger)
        where T : class
    {
        try
        {
            await handle(context.Message.Select(m => m.Message).ToList());
            return;
        }
        catch (Exception e) when (!DependencyFailures.IsOutage(e) && !context.CancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("A batch of {Count} messages failed ({Reason}); handling them one by one to find the one at fault", context.Message.Length, e.Message);
        }

        foreach (var message in context.Message)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await handle([message.Message]);
                    break;
                }
                catch (Exception e) when (!DependencyFailures.IsOutage(e) && !context.CancellationToken.IsCancellationRequested)
                {
                    if (attempt == PoisonAttempts)
                    {
                        await deadLetters.MoveAsync(message, e, context.CancellationToken);
                        break;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt * attempt), context.CancellationToken);
                }
            }
        }
    }

    private const int PoisonAttempts = 3;
}
