namespace Operational.Contracts.Contexts;

/// <summary>
/// A context as the contexts service saw it when it announced a change of its status.
/// The same context may be announced again later (a failure found after completion, a new
/// stall after it woke up); consumers key on <see cref="ProjectId"/>, <see cref="ContextId"/>
/// and the message type.
/// </summary>
/// <param name="ProjectId">The project the context's events belong to.</param>
/// <param name="ContextId">The id its events carry in <c>contextId</c>.</param>
/// <param name="Title">The name of its start event, or of its earliest event until the start arrives.</param>
/// <param name="Avatar">The avatar of the same event.</param>
/// <param name="Category">The category of the same event.</param>
/// <param name="FirstEventAt">Timestamp of its earliest event.</param>
/// <param name="LastEventAt">Timestamp of its latest event.</param>
/// <param name="EventCount">Distinct events seen.</param>
/// <param name="Levels">Distinct events per level.</param>
/// <param name="Test">Its title event is a test event.</param>
public sealed record ContextSnapshot(
    string ProjectId,
    string ContextId,
    string Title,
    string? Avatar,
    string? Category,
    DateTimeOffset FirstEventAt,
    DateTimeOffset LastEventAt,
    long EventCount,
    ContextLevelCounts Levels,
    bool Test)
{
    /// <summary>From the first event's timestamp to the last's.</summary>
    public TimeSpan Duration => LastEventAt - FirstEventAt;
}

/// <summary>How many of a context's events have each level.</summary>
public sealed record ContextLevelCounts(long Info, long Success, long Warning, long Error);

/// <summary>A context received an event with <c>contextEnd: true</c> and none with level error.</summary>
public sealed record ContextCompleted(ContextSnapshot Context);

/// <summary>A context received an event with level error (with or without <c>contextEnd</c>).</summary>
public sealed record ContextFailed(ContextSnapshot Context);

/// <summary>An open context stayed silent for longer than its timeout.</summary>
/// <param name="Context">The context as it was when it stalled.</param>
/// <param name="StalledAt">Its last event's timestamp plus the timeout.</param>
/// <param name="TimeoutSeconds">The timeout that applied: the latest <c>contextTimeout</c> of its events, else the project's default.</param>
public sealed record ContextStalled(ContextSnapshot Context, DateTimeOffset StalledAt, int TimeoutSeconds);
