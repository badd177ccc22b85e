namespace Operational.Contracts.Topology;

/// <summary>
/// Every queue a service consumes from. Each has an <c>_error</c> queue beside it (MassTransit's
/// convention) for messages that can never be consumed; the gateway's <c>/v1/dead-letters</c>
/// lists and replays them by these names.
/// </summary>
public static class ConsumerQueues
{
    /// <summary>The notifications service sends alerts to their channels.</summary>
    public const string AlertNotifications = "notifications-alerts";

    /// <summary>The notifications service tells channels that receive contexts about failed and stalled ones.</summary>
    public const string ContextNotifications = "notifications-contexts";

    /// <summary>The rules service ends the runs heartbeat rules watch when their context completes or fails.</summary>
    public const string RuleContextOutcomes = "rules-context-outcomes";

    /// <summary>The ingested-event queues (<see cref="EventSubscriberQueues"/>) and the ones above.</summary>
    public static readonly IReadOnlyList<string> All =
        [.. EventSubscriberQueues.All, AlertNotifications, ContextNotifications, RuleContextOutcomes];

    /// <summary>The queue MassTransit moves a queue's failed messages to.</summary>
    public static string ErrorQueueOf(string queue) => queue + "_error";
}
