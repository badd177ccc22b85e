using System.Globalization;
using Operational.Contracts.Contexts;

namespace Operational.Contexts.Tracking;

/// <summary>
/// A context as stored: its state, the timeout that applies to it, and which of its status
/// changes was last announced on the bus. <see cref="PendingAt"/> is when the next
/// announcement is due (a completion or failure at once, a stall when it happens), or null
/// when there is nothing to announce; the announcer claims records by it.
/// </summary>
public sealed record ContextRecord(
    string ProjectId,
    string ContextId,
    ContextState State,
    int TimeoutSeconds,
    string? Announced,
    long Version)
{
    /// <summary>When an open context counts as stalled: its last event's timestamp plus its timeout.</summary>
    public DateTimeOffset StallsAt => State.LastEventAt.AddSeconds(TimeoutSeconds);

    public string StatusAt(DateTimeOffset now) =>
        State.Status == ContextStatus.Open && StallsAt <= now ? ContextStatus.Stalled : State.Status;

    /// <summary>
    /// What should be announced for the current state: the status, or for an open context the
    /// stall it would have at <see cref="StallsAt"/> (a context that wakes up and stalls again
    /// has a later <see cref="StallsAt"/>, so it is announced again).
    /// </summary>
    public string Announcement => State.Status == ContextStatus.Open
        ? ContextStatus.Stalled + "@" + StallsAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)
        : State.Status;

    public DateTimeOffset? PendingAt =>
        State.LiveEvents == 0 || Announcement == Announced ? null
        : State.Status == ContextStatus.Open ? StallsAt
        : DateTimeOffset.UnixEpoch;

    /// <summary>A record for <paramref name="state"/>; the project's default timeout applies unless an event declared one.</summary>
    public static ContextRecord For(string projectId, string contextId, ContextState state, int defaultTimeoutSeconds, string? announced, long version) =>
        new(projectId, contextId, state, state.TimeoutSeconds ?? defaultTimeoutSeconds, announced, version);

    public ContextSnapshot Snapshot() => new(
        ProjectId, ContextId, State.Title, State.Avatar, State.Category, State.FirstEventAt, State.LastEventAt, State.EventCount,
        new ContextLevelCounts(State.Info, State.Success, State.Warning, State.Error), State.Test);

    /// <summary>The message announcing <see cref="Announcement"/>.</summary>
    public object AnnouncementMessage() => State.Status switch
    {
        ContextStatus.Completed => new ContextCompleted(Snapshot()),
        ContextStatus.Failed => new ContextFailed(Snapshot()),
        _ => new ContextStalled(Snapshot(), StallsAt, TimeoutSeconds),
    };
}
