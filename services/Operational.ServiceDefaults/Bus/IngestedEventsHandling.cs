using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Operational.Contracts.Events;

namespace Operational.ServiceDefaults.Bus;

/// <summary>
/// What a service does with ingested events, whatever brings them: a MassTransit consumer over
/// RabbitMQ (distributed), or the standalone host's in-process dispatch, which hands the gateway's
/// batches straight to the modules without serializing them four times.
/// </summary>
public interface IIngestedEventsHandler
{
    /// <summary>The subscriber queue it consumes (<see cref="Contracts.Topology.EventSubscriberQueues"/>): its name in readiness, dead letters and the journal.</summary>
    string Queue { get; }

    /// <summary>
    /// Whether the event can concern it at all. A batch with no such event is not handed to it by
    /// the in-process dispatch. Cheap, never blocking, and when unsure: true.
    /// </summary>
    bool Wants(IngestedEvent e);

    /// <summary>Handles the events of the messages, idempotently (a message may come again).</summary>
    Task HandleAsync(IReadOnlyList<EventsIngested> messages, CancellationToken cancellationToken);
}

public static class IngestedEventsHandlerRegistration
{
    /// <summary>Registers a module's handler of ingested events, for its consumer and for the in-process dispatch.</summary>
    public static IServiceCollection AddIngestedEventsHandler<THandler>(this IServiceCollection services)
        where THandler : class, IIngestedEventsHandler
    {
        services.AddSingleton<THandler>();
        services.AddSingleton<IIngestedEventsHandler>(provider => provider.GetRequiredService<THandler>());
        return services;
    }
}

/// <summary>
/// The poison half of the consume policy, shared by every transport: a set of messages that fails for
/// the messages' sake rather than a dependency's is handled message by message, and only the messages
/// that still fail alone (three attempts) go to the dead letters. Handling many at once is what makes
/// consumers fast, but it succeeds or fails as a whole; without this one bad message would take the
/// good ones with it. A dependency's failure is not caught here: the caller waits it out and tries the
/// whole set again (what was written of it is written again idempotently).
/// </summary>
public static class PoisonIsolation
{
    private const int AttemptsAlone = 3;

    public static async Task HandleAsync<T>(
        IReadOnlyList<T> messages,
        Func<IReadOnlyList<T>, Task> handle,
        Func<T, Exception, Task> deadLetter,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        try
        {
            await handle(messages);
            return;
        }
        catch (Exception e) when (!DependencyFailures.IsOutage(e) && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("A batch of {Count} messages failed ({Reason}); handling them one by one to find the one at fault", messages.Count, e.Message);
        }

        foreach (var message in messages)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await handle([message]);
                    break;
                }
                catch (Exception e) when (!DependencyFailures.IsOutage(e) && !cancellationToken.IsCancellationRequested)
                {
                    if (attempt == AttemptsAlone)
                    {
                        await deadLetter(message, e);
                        break;
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt * attempt), cancellationToken);
                }
            }
        }
    }
}
