using Operational.Contracts.Events;

namespace Operational.Contracts.Topology;

/// <summary>
/// Which subscribers need which ingested batches. Most events carry no context id and notify
/// nobody, and a subscriber handed a batch it does not need still pays for it (over RabbitMQ: the
/// broker writes it to one more queue, the service reads and deserializes it). So a batch is
/// marked with what it carries, and the contexts and notifications queues take only batches with
/// something for them: over RabbitMQ through a headers exchange (<see cref="Exchange"/>) between
/// the message exchange and their queues; in the standalone host by the in-process dispatch. The
/// rules queue takes the batches of projects that have rules: the rules service binds it once per
/// such project (<see cref="ProjectHeader"/>).
/// </summary>
public static class EventRouting
{
    /// <summary>The headers exchange routed subscribers bind to (declared by the gateway and by them).</summary>
    public const string Exchange = "operational-events-routing";

    /// <summary>Set on a batch with at least one event that has a context id.</summary>
    public const string HasContextHeader = "operational-has-context";

    /// <summary>Set on a batch with at least one event that notifies.</summary>
    public const string HasNotifyHeader = "operational-has-notify";

    /// <summary>The prefix of the header set once per project with events in a batch.</summary>
    public const string ProjectHeaderPrefix = "operational-project-";

    /// <summary>The value of a header that is set.</summary>
    public const string Yes = "yes";

    /// <summary>Whether the contexts service has anything to do with the event.</summary>
    public static bool ConcernsContexts(IngestedEvent e) => e.ContextId is not null;

    /// <summary>Whether the notifications service has anything to do with the event (backfilled events never notify).</summary>
    public static bool ConcernsNotifications(IngestedEvent e) => e.Notify && !e.Backfilled;

    /// <summary>The header a queue's batches must carry, or null for a queue that takes every batch.</summary>
    public static string? RequiredHeader(string queue) => queue switch
    {
        EventSubscriberQueues.Contexts => HasContextHeader,
        EventSubscriberQueues.Notifications => HasNotifyHeader,
        _ => null,
    };

    /// <summary>
    /// Whether the queue takes batches per project, bound by its own service for the projects it
    /// needs (the rules service: projects with rules), rather than all batches or by a header.
    /// </summary>
    public static bool RoutedByProject(string queue) => queue == EventSubscriberQueues.Rules;

    /// <summary>The header a batch with an event of <paramref name="projectId"/> carries.</summary>
    public static string ProjectHeader(string projectId) => ProjectHeaderPrefix + projectId;

    /// <summary>The headers a batch carries.</summary>
    public static IEnumerable<string> HeadersOf(EventsIngested batch)
    {
        foreach (var projectId in batch.Events.Select(e => e.ProjectId).Distinct(StringComparer.Ordinal))
        {
            yield return ProjectHeader(projectId);
        }

        if (batch.Events.Any(ConcernsContexts))
        {
            yield return HasContextHeader;
        }

        if (batch.Events.Any(ConcernsNotifications))
        {
            yield return HasNotifyHeader;
        }
    }
}
