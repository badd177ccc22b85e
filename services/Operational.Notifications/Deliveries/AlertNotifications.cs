using Operational.Contracts.Topology;
using System.Globalization;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Operational.Contracts.Alerts;
using Operational.ServiceDefaults.Bus;

namespace Operational.Notifications.Deliveries;

/// <summary>Turns the rules service's alert messages into deliveries to each of the rule's channels.</summary>
public sealed class AlertNotificationsConsumer(
    IDeliveryStore deliveries, DeliveryTargets targets, DeliveriesQueued queued, IOptions<NotificationsOptions> options, TimeProvider clock)
    : IConsumer<AlertTriggered>, IConsumer<AlertRepeated>, IConsumer<AlertResolved>, IConsumer<AlertEscalated>, IConsumer<AlertAcknowledged>
{
    /// <summary>Who took it: channels that can edit the announcement do; the others get this short follow-up.</summary>
    public Task Consume(ConsumeContext<AlertAcknowledged> context) =>
        QueueAsync(context.Message.Alert, "alert.acknowledged", $"alert:{context.Message.Alert.AlertId}:acknowledged",
            $"Acknowledged: {context.Message.Alert.RuleName}", context.Message.Alert.Evidence with { Summary = $"Acknowledged by {context.Message.By}. {context.Message.Alert.Evidence.Summary}" },
            "info", context.CancellationToken);

    /// <summary>An escalation step: the step's own channels are told, as the rule's were when it opened.</summary>
    public Task Consume(ConsumeContext<AlertEscalated> context) =>
        QueueAsync(context.Message.Alert with { Channels = context.Message.Channels }, "alert.escalated",
            $"alert:{context.Message.Alert.AlertId}:escalated:{context.Message.Step.ToString(CultureInfo.InvariantCulture)}",
            $"Escalated: {context.Message.Alert.RuleName}", context.Message.Alert.Evidence, Level(context.Message.Alert), context.CancellationToken,
            context.Message.AcknowledgePath);

    public Task Consume(ConsumeContext<AlertTriggered> context) =>
        QueueAsync(context.Message.Alert, "alert.triggered", $"alert:{context.Message.Alert.AlertId}:triggered",
            context.Message.Alert.RuleName, context.Message.Alert.Evidence, Level(context.Message.Alert), context.CancellationToken,
            context.Message.AcknowledgePath);

    public Task Consume(ConsumeContext<AlertRepeated> context) =>
        QueueAsync(context.Message.Alert, "alert.repeated",
            $"alert:{context.Message.Alert.AlertId}:repeated:{context.Message.RepeatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}",
            $"Still: {context.Message.Alert.RuleName}", context.Message.Alert.Evidence, Level(context.Message.Alert), context.CancellationToken,
            context.Message.AcknowledgePath);

    public Task Consume(ConsumeContext<AlertResolved> context) =>
        QueueAsync(context.Message.Alert, "alert.resolved", $"alert:{context.Message.Alert.AlertId}:resolved",
            $"Resolved: {context.Message.Alert.RuleName}", context.Message.Evidence, "success", context.CancellationToken);

    /// <summary>
    /// The end of a job's output that goes into a message's text: what a phone, a chat or a mail
    /// subject line can show, and where a failing job usually says why. Webhooks get the alert whole
    /// (its evidence's output, up to 10,000 characters) in the message's data.
    /// </summary>
    public const int MaxOutputInText = 800;

    private async Task QueueAsync(AlertSnapshot alert, string type, string sourceId, string title, AlertEvidence evidence, string level, CancellationToken cancellationToken,
        string? acknowledgePath = null)
    {
        if (alert.Channels.Count == 0)
        {
            return;
        }

        var group = alert.Group is null ? "" : $" ({alert.Group})";
        // An alert about a run links to the run (its context), where its events and output are.
        var link = evidence.ContextId is { } run ? $"/contexts/{Uri.EscapeDataString(run)}" : $"/alerts/{alert.AlertId}";
        var acknowledge = acknowledgePath is null ? null : Absolute(acknowledgePath);
        var text = acknowledge is null ? Text(evidence) : $"{Text(evidence)}\n\nAcknowledge: {acknowledge}";
        // Webhooks get the alert as it is, and the link to acknowledge it (a POST to it acknowledges).
        var data = JsonSerializer.SerializeToNode(alert, JsonSerializerOptions.Web)!.AsObject();
        if (acknowledge is not null)
        {
            data["acknowledgeUrl"] = acknowledge;
        }

        var message = new NotificationMessage(type, title + group, text, level, Absolute(link), JsonSerializer.SerializeToElement(data, JsonSerializerOptions.Web));
        if (type == "alert.triggered" && alert.GroupWaitSeconds > 0)
        {
            // Grouped: the first alert's delivery waits the rule's groupWaitSeconds for the others to join it.
            var groupSource = AlertGroups.SourcePrefix(alert.RuleId) + alert.AlertId;
            var due = clock.GetUtcNow().AddSeconds(alert.GroupWaitSeconds);
            var grouped = (await targets.ForChannelsAsync(alert.ProjectId, alert.Channels, groupSource, AlertGroups.Start(message, alert.RuleName), cancellationToken))
                .Select(d => d with { NextAttemptAt = due }).ToList();
            await deliveries.AddOrJoinAsync(grouped, AlertGroups.SourcePrefix(alert.RuleId), clock.GetUtcNow(), pending => AlertGroups.Join(pending, message, alert.RuleName), cancellationToken);
            return;
        }

        await deliveries.AddDeliveriesAsync(await targets.ForChannelsAsync(alert.ProjectId, alert.Channels, sourceId, message, cancellationToken), cancellationToken);
        queued.Notify();
    }

    private string Absolute(string path) => options.Value.PublicUrl is { } publicUrl ? publicUrl.TrimEnd('/') + path : path;

    /// <summary>The summary, then the end of the run's output if the alert has one.</summary>
    public static string Text(AlertEvidence evidence) => evidence.Output is { Length: > 0 } output
        ? $"{evidence.Summary}\n\n{(output.Length <= MaxOutputInText ? output : "…" + output[^MaxOutputInText..])}"
        : evidence.Summary;

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
