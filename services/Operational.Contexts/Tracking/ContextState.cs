using Operational.Contracts.Events;

namespace Operational.Contexts.Tracking;

/// <summary>
/// A context as a pure function of the set of its entries. Every field is a commutative,
/// associative merge (minimum, maximum, sum, or, "the smallest by a total order"), so
/// adding entries in any order, in any grouping, gives the same state; what is never added
/// twice is the same event, which the stores guarantee by keeping each event id once per
/// context. That is what lets any number of replicas consume events in any order.
/// </summary>
public sealed record ContextState
{
    /// <summary>The event the title comes from: the earliest start event, else the earliest event (ties by id).</summary>
    public required string TitleEventId { get; init; }

    public required bool TitleFromStart { get; init; }

    public required DateTimeOffset TitleEventAt { get; init; }

    public required string Title { get; init; }

    public string? Avatar { get; init; }

    public string? Category { get; init; }

    /// <summary>The title event is a test event: the context is listed with the test events.</summary>
    public bool Test { get; init; }

    public required DateTimeOffset FirstEventAt { get; init; }

    public required DateTimeOffset LastEventAt { get; init; }

    public long EventCount { get; init; }

    public long Info { get; init; }

    public long Success { get; init; }

    public long Warning { get; init; }

    public long Error { get; init; }

    /// <summary>Events that are not backfilled. A context made only of history is never announced.</summary>
    public long LiveEvents { get; init; }

    /// <summary>An event said <c>contextEnd: true</c>.</summary>
    public bool Ended { get; init; }

    /// <summary>The <c>contextTimeout</c> of the latest event that has one (ties by id), in seconds.</summary>
    public int? TimeoutSeconds { get; init; }

    public DateTimeOffset? TimeoutEventAt { get; init; }

    public string? TimeoutEventId { get; init; }

    /// <summary>Open, completed or failed; whether an open context is stalled depends on the clock (<see cref="ContextRecord"/>).</summary>
    public string Status => Error > 0 ? ContextStatus.Failed : Ended ? ContextStatus.Completed : ContextStatus.Open;

    public TimeSpan Duration => LastEventAt - FirstEventAt;

    /// <summary>The state of a context that has only this entry.</summary>
    public static ContextState Of(ContextEntry entry) => new()
    {
        TitleEventId = entry.EventId,
        TitleFromStart = entry.Start,
        TitleEventAt = entry.Timestamp,
        Title = entry.Name,
        Avatar = entry.Avatar,
        Category = entry.Category,
        Test = entry.Test,
        FirstEventAt = entry.Timestamp,
        LastEventAt = entry.Timestamp,
        EventCount = 1,
        Info = entry.Level == EventLevels.Info ? 1 : 0,
        Success = entry.Level == EventLevels.Success ? 1 : 0,
        Warning = entry.Level == EventLevels.Warning ? 1 : 0,
        Error = entry.Level == EventLevels.Error ? 1 : 0,
        LiveEvents = entry.Backfilled ? 0 : 1,
        Ended = entry.End,
        TimeoutSeconds = entry.TimeoutSeconds,
        TimeoutEventAt = entry.TimeoutSeconds is null ? null : entry.Timestamp,
        TimeoutEventId = entry.TimeoutSeconds is null ? null : entry.EventId,
    };

    /// <summary>Adds an entry this state does not contain yet.</summary>
    public ContextState Add(ContextEntry entry) => Merge(Of(entry));

    /// <summary>The state of the union of two disjoint sets of entries.</summary>
    public ContextState Merge(ContextState other)
    {
        var title = TitlePrecedes(other, this) ? other : this;
        var timeout = TimeoutPrecedes(other, this) ? other : this;
        return new ContextState
        {
            TitleEventId = title.TitleEventId,
            TitleFromStart = title.TitleFromStart,
            TitleEventAt = title.TitleEventAt,
            Title = title.Title,
            Avatar = title.Avatar,
            Category = title.Category,
            Test = title.Test,
            FirstEventAt = FirstEventAt < other.FirstEventAt ? FirstEventAt : other.FirstEventAt,
            LastEventAt = LastEventAt > other.LastEventAt ? LastEventAt : other.LastEventAt,
            EventCount = EventCount + other.EventCount,
            Info = Info + other.Info,
            Success = Success + other.Success,
            Warning = Warning + other.Warning,
            Error = Error + other.Error,
            LiveEvents = LiveEvents + other.LiveEvents,
            Ended = Ended || other.Ended,
            TimeoutSeconds = timeout.TimeoutSeconds,
            TimeoutEventAt = timeout.TimeoutEventAt,
            TimeoutEventId = timeout.TimeoutEventId,
        };
    }

    /// <summary>The state of a set of entries; an event id that occurs more than once counts once (its first occurrence).</summary>
    public static ContextState? Fold(IEnumerable<ContextEntry> entries)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ContextState? state = null;
        foreach (var entry in entries)
        {
            if (seen.Add(entry.EventId))
            {
                state = state is null ? Of(entry) : state.Add(entry);
            }
        }

        return state;
    }

    /// <summary>Start events first, then the earliest, then the smallest id: a total order, so the minimum is one event whatever the order of arrival.</summary>
    private static bool TitlePrecedes(ContextState a, ContextState b)
    {
        if (a.TitleFromStart != b.TitleFromStart)
        {
            return a.TitleFromStart;
        }

        var byTime = a.TitleEventAt.CompareTo(b.TitleEventAt);
        return byTime != 0 ? byTime < 0 : string.CompareOrdinal(a.TitleEventId, b.TitleEventId) < 0;
    }

    /// <summary>A declared timeout beats none; of two, the later event's (ties by the larger id).</summary>
    private static bool TimeoutPrecedes(ContextState a, ContextState b)
    {
        if (a.TimeoutEventAt is not { } aAt)
        {
            return false;
        }

        if (b.TimeoutEventAt is not { } bAt)
        {
            return true;
        }

        var byTime = aAt.CompareTo(bAt);
        return byTime != 0 ? byTime > 0 : string.CompareOrdinal(a.TimeoutEventId, b.TimeoutEventId) > 0;
    }
}
