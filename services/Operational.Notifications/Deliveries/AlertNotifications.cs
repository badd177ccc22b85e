using Operational.Contracts.Topology;
using System.Globalization;
using System.Text.Json;
using MassTransit;
using Operational.Contracts.Alerts;
using Operational.ServiceDefaults.Bus;

namespace Operational.Notifications.Deliveries;

/// <summary>Turns the rules service's alert messages into deliveries to each of the rule's channels.</summary>
public sealed class AlertNotificationsConsumer(IDeliveryStore deliveries, DeliveryTargets targets, DeliveriesQueued queued)
    : IConsumer<AlertTriggered>, IConsumer<AlertRepeated>, IConsumer<AlertResolved>
{
    public Task Consume(ConsumeContext<AlertTriggered> context) =>
        QueueAsync(context.Message.Alert, "alert.triggered", $"alert:{context.Message.Alert.AlertId}:triggered",
            context.Message.Alert.RuleName, context.Message.Alert.Evidence.Summary, Level(context.Message.Alert), context.CancellationToken);

    public Task Consume(ConsumeContext<AlertRepeated> context) =>
        QueueAsync(context.Message.Alert, "alert.repeated",
            $"alert:{context.Message.Alert.AlertId}:repeated:{context.Message.RepeatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}",
            $"Still: {context.Message.Alert.RuleName}", context.Message.Alert.Evidence.Summary, Level(context.Message.Alert), context.CancellationToken);

    public Task Consume(ConsumeContext<AlertResolved> context) =>
        QueueAsync(context.Message.Alert, "alert.resolved", $"alert:{context.Message.Alert.AlertId}:resolved",
            $"Resolved: {context.Message.Alert.RuleName}", context.Message.Evidence.Summary, "success", context.CancellationToken);

    private async Task QueueAsync(AlertSnapshot alert, string type, string sourceId, string title, string body, string level, CancellationToken cancellationToken)
    {
        if (alert.Channels.Count == 0)
        {
            return;
        }

        var group = alert.Group is null ? "" : $" ({alert.Group})";
        var message = new NotificationMessage(type, title + group, body, level, $"/alerts/{alert.AlertId}", JsonSerializer.SerializeToElement(alert, JsonSerializerOptions.Web));
        await deliveries.AddDeliveriesAsync(await targets.ForChannelsAsync(alert.ProjectId, alert.Channels, sourceId, message, cancellationToken), cancellationToken);
        queued.Notify();
    }

    private static string Level(AlertSnapshot alert) => alert.Kind == "match" ? "warning" : "error";
}

public sealed class AlertNotificationsConsumerDefinition : ConsumerDefinition<AlertNotificationsConsumer>
{
    public AlertNotificationsConsumerDefinition() => EndpointName = ConsumerQueues.AlertNotifications;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<AlertNotificationsConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseOperationalConsumeResilience(context);
}
