using Operational.Contexts.Tracking;
using Operational.Contracts.Api;
using Operational.Contracts.Contexts;

namespace Operational.Contexts.Query;

/// <summary>A context as the API returns it.</summary>
/// <param name="Status">open, completed, failed or stalled (open and silent for longer than <paramref name="TimeoutSeconds"/>).</param>
/// <param name="DurationMs">From its first event's timestamp to its last's.</param>
/// <param name="TimeoutSeconds">The silence after which it stalls: its events' <c>contextTimeout</c>, else the project's default.</param>
/// <param name="StallsAt">When it stalls (or stalled) unless another event arrives; null once completed or failed.</param>
public sealed record ContextResponse(
    string ContextId,
    string Title,
    string? Avatar,
    string? Category,
    string Status,
    DateTimeOffset FirstEventAt,
    DateTimeOffset LastEventAt,
    long DurationMs,
    long EventCount,
    ContextLevelCounts Levels,
    int TimeoutSeconds,
    DateTimeOffset? StallsAt,
    bool Test)
{
    public static ContextResponse From(ContextRecord record, DateTimeOffset now)
    {
        var state = record.State;
        return new ContextResponse(
            record.ContextId, state.Title, state.Avatar, state.Category, record.StatusAt(now), state.FirstEventAt, state.LastEventAt,
            (long)state.Duration.TotalMilliseconds, state.EventCount, new ContextLevelCounts(state.Info, state.Success, state.Warning, state.Error),
            record.TimeoutSeconds, state.Status == ContextStatus.Open ? record.StallsAt : null, state.Test);
    }
}

/// <summary>A page of contexts; pass <see cref="NextCursor"/> as <c>cursor</c> for the next. Null on the last page.</summary>
public sealed record ContextListResponse(IReadOnlyList<ContextResponse> Contexts, string? NextCursor);

/// <summary>
/// A context with its events, oldest first, as the storage service has them. When storage
/// cannot be reached, <see cref="Events"/> is null and <see cref="EventsError"/> says why: the
/// context itself is still answered.
/// </summary>
/// <param name="EventsTruncated">The context has more events than shown; these are its latest.</param>
public sealed record ContextDetailResponse(ContextResponse Context, IReadOnlyList<EventResponse>? Events, bool EventsTruncated, string? EventsError);

public sealed record ContextSettingsResponse(int DefaultTimeoutSeconds, bool ProjectSpecific);

public sealed record ContextSettingsRequest(int? DefaultTimeoutSeconds);
