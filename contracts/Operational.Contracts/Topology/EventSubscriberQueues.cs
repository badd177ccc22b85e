namespace Operational.Contracts.Topology;

/// <summary>
/// The queue each service consumes ingested events from. The gateway declares them too
/// (RabbitMQ only), so events published before a service's first start wait in its queue
/// instead of being dropped by an exchange with nothing bound to it.
/// </summary>
public static class EventSubscriberQueues
{
    /// <summary>The storage service persists events for the feed and queries.</summary>
    public const string Storage = "storage-events-ingested";

    /// <summary>The contexts service chains events by context id.</summary>
    public const string Contexts = "contexts-events-ingested";

    /// <summary>The rules service evaluates alert rules.</summary>
    public const string Rules = "rules-events-ingested";

    /// <summary>The notifications service sends notifying events to channels.</summary>
    public const string Notifications = "notifications-events-ingested";

    /// <summary>Every subscriber queue, in the order above.</summary>
    public static readonly IReadOnlyList<string> All = [Storage, Contexts, Rules, Notifications];
}
