using MassTransit;
using Microsoft.Extensions.Options;
using Operational.ServiceDefaults.Hosting;

namespace Operational.Rules.Alerts;

/// <summary>Set when this replica queued alert messages, so they are published without waiting for the next poll.</summary>
public sealed class AlertsQueued : Signal;

/// <summary>
/// Publishes the alert messages the store queued in the same transaction as the alert change
/// (an outbox): a change is never announced without having happened, nor lost between commit and
/// publish. A message is removed once the broker confirmed it; a crash in between publishes it
/// again, so consumers may see a message twice (the alert id tells).
/// </summary>
public sealed class AlertPublisher(
    IAlertOutbox store, IBus bus, AlertsQueued queued, AcknowledgeLinks links, IOptions<RulesOptions> options, TimeProvider clock, ILogger<AlertPublisher> logger)
    : BackgroundService
{
    private const int BatchSize = 100;

    /// <summary>Publishes everything queued; returns how many messages were published.</summary>
    public async Task<int> PublishQueuedAsync(CancellationToken cancellationToken)
    {
        var published = 0;
        while (true)
        {
            var messages = await store.PendingMessagesAsync(BatchSize, cancellationToken);
            foreach (var message in messages)
            {
                // Signed as it leaves, so the link's lifetime starts when people can see it.
                await bus.Publish(links.WithLink(message.Message, clock.GetUtcNow()), cancellationToken);
            }

            await store.RemoveMessagesAsync(messages.Select(m => m.Id).ToList(), cancellationToken);
            published += messages.Count;
            if (messages.Count < BatchSize)
            {
                return published;
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        queued.LoopAsync(
            PublishQueuedAsync,
            options.Value.OutboxPollInterval,
            clock,
            e => logger.LogWarning(e, "Could not publish queued alert messages; they stay queued"),
            stoppingToken);
}
