using Operational.Contracts.Topology;
using System.Globalization;
using System.Text.Json;
using MassTransit;
using Operational.Contracts.Contexts;
using Operational.Notifications.Channels;
using Operational.ServiceDefaults.Bus;

namespace Operational.Notifications.Deliveries;

/// <summary>Contexts that fail or stall, told to the project's channels that receive contexts.</summary>
public sealed class ContextNotificationsConsumer(IDeliveryStore deliveries, DeliveryTargets targets, DeliveriesQueued queued)
    : IConsumer<ContextFailed>, IConsumer<ContextStalled>
{
    public Task Consume(ConsumeContext<ContextFailed> context) =>
        QueueAsync(context.Message.Context, "context.failed", $"context:{context.Message.Context.ContextId}:failed",
            $"Failed: {context.Message.Context.Title}",
            $"{context.Message.Context.Levels.Error} error event(s) after {Duration(context.Message.Context)}.", context.CancellationToken);

    public Task Consume(ConsumeContext<ContextStalled> context) =>
        QueueAsync(context.Message.Context, "context.stalled",
            $"context:{context.Message.Context.ContextId}:stalled:{context.Message.StalledAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}",
            $"Stalled: {context.Message.Context.Title}",
            $"No event for {context.Message.TimeoutSeconds} s since {context.Message.Context.LastEventAt:O}.", context.CancellationToken);

    private async Task QueueAsync(ContextSnapshot snapshot, string type, string sourceId, string title, string body, CancellationToken cancellationToken)
    {
        if (snapshot.Test)
        {
            return; // test contexts tell nobody
        }

        var message = new NotificationMessage(type, title, body, "error", $"/contexts/{Uri.EscapeDataString(snapshot.ContextId)}",
            JsonSerializer.SerializeToElement(snapshot, JsonSerializerOptions.Web));
        var routed = await targets.ForRouteAsync(snapshot.ProjectId, ChannelRoutes.Contexts, sourceId, message, cancellationToken);
        if (routed.Count > 0)
        {
            await deliveries.AddDeliveriesAsync(routed, cancellationToken);
            queued.Notify();
        }
    }

    private static string Duration(ContextSnapshot context) =>
        context.Duration.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s";
}

public sealed class ContextNotificationsConsumerDefinition : ConsumerDefinition<ContextNotificationsConsumer>
{
    public ContextNotificationsConsumerDefinition() => EndpointName = ConsumerQueues.ContextNotifications;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ContextNotificationsConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseOperationalConsumeResilience(context);
}
