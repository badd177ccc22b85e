using System.Text.Json;
using MassTransit;
using Operational.Contracts.Events;
using Operational.Contracts.Topology;
using Operational.Notifications.Settings;
using Operational.ServiceDefaults.Bus;

namespace Operational.Notifications.Deliveries;

/// <summary>
/// Events sent with <c>notify: true</c> go to every device of their project that turned push on,
/// and to the project's channels that receive events.
/// Backfilled events never notify; test events only in projects that opted in
/// (<c>PUT /v1/notification-settings</c>).
/// </summary>
public sealed class NotificationEventsHandler(IDeliveryStore deliveries, DeliveryTargets targets, DeliveriesQueued queued, INotificationSettingsStore settings)
    : IIngestedEventsHandler
{
    public string Queue => EventSubscriberQueues.Notifications;

    public bool Wants(IngestedEvent e) => EventRouting.ConcernsNotifications(e);

    public async Task HandleAsync(IReadOnlyList<EventsIngested> messages, CancellationToken cancellationToken)
    {
        var queuedAny = false;
        foreach (var e in messages.SelectMany(m => m.Events).Where(Wants))
        {
            if (e.Test && (await settings.GetSettingsAsync(e.ProjectId, cancellationToken))?.NotifyTestEvents != true)
            {
                continue;
            }

            var title = e.Avatar is null ? e.Name : $"{e.Avatar} {e.Name}";
            var body = e.Type == EventTypes.Text && e.Content is { ValueKind: JsonValueKind.String } text ? text.GetString()! : e.Category ?? "";
            var fields = JsonSerializer.SerializeToElement(new { e.Id, e.Name, e.Category, e.Avatar, e.Level, e.UserId, e.ContextId, e.Tags, Content = body }, JsonSerializerOptions.Web);
            var message = new NotificationMessage("event", title, body, e.Level, $"/events/{e.Id}", null, fields);
            var sourceId = $"event:{e.Id}";
            var forDevices = await targets.ForDevicesAsync(e.ProjectId, sourceId, message, cancellationToken);
            var forChannels = await targets.ForRouteAsync(e.ProjectId, Channels.ChannelRoutes.Events, sourceId, message, cancellationToken);
            // A webpush channel receiving events would target the same devices: one delivery each.
            var all = forDevices.Concat(forChannels).DistinctBy(d => d.Id).ToList();
            await deliveries.AddDeliveriesAsync(all, cancellationToken);
            queuedAny |= all.Count > 0;
        }

        if (queuedAny)
        {
            queued.Notify();
        }
    }
}

/// <summary>An ingested batch from RabbitMQ (or a replay) to <see cref="NotificationEventsHandler"/>.</summary>
public sealed class EventNotificationsConsumer(NotificationEventsHandler handler) : IConsumer<EventsIngested>
{
    public Task Consume(ConsumeContext<EventsIngested> context) =>
        context.Message.Events.Any(handler.Wants) ? handler.HandleAsync([context.Message], context.CancellationToken) : Task.CompletedTask;
}

public sealed class EventNotificationsConsumerDefinition : ConsumerDefinition<EventNotificationsConsumer>
{
    public EventNotificationsConsumerDefinition() => EndpointName = EventSubscriberQueues.Notifications;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<EventNotificationsConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 64;
        endpointConfigurator.UseOperationalConsumeResilience(context);
        endpointConfigurator.ConsumeRoutedEvents(EventSubscriberQueues.Notifications);
    }
}
