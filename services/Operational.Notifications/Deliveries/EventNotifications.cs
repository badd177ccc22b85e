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
public sealed class EventNotificationsConsumer(IDeliveryStore deliveries, DeliveryTargets targets, DeliveriesQueued queued, INotificationSettingsStore settings)
    : IConsumer<EventsIngested>
{
    public async Task Consume(ConsumeContext<EventsIngested> context)
    {
        var queuedAny = false;
        foreach (var e in context.Message.Events.Where(e => e.Notify && !e.Backfilled))
        {
            if (e.Test && (await settings.GetSettingsAsync(e.ProjectId, context.CancellationToken))?.NotifyTestEvents != true)
            {
                continue;
            }

            var title = e.Avatar is null ? e.Name : $"{e.Avatar} {e.Name}";
            var body = e.Type == EventTypes.Text && e.Content is { ValueKind: JsonValueKind.String } text ? text.GetString()! : e.Category ?? "";
            var message = new NotificationMessage("event", title, body, e.Level, $"/events/{e.Id}", null);
            var sourceId = $"event:{e.Id}";
            var forDevices = await targets.ForDevicesAsync(e.ProjectId, sourceId, message, context.CancellationToken);
            var forChannels = await targets.ForRouteAsync(e.ProjectId, Channels.ChannelRoutes.Events, sourceId, message, context.CancellationToken);
            // A webpush channel receiving events would target the same devices: one delivery each.
            var all = forDevices.Concat(forChannels).DistinctBy(d => d.Id).ToList();
            await deliveries.AddDeliveriesAsync(all, context.CancellationToken);
            queuedAny |= all.Count > 0;
        }

        if (queuedAny)
        {
            queued.Notify();
        }
    }
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
    }
}
