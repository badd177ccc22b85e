using Operational.Contracts.Events;

namespace Operational.Storage.Events;

/// <summary>A page of events, newest first; <see cref="Next"/> continues after the last one.</summary>
public sealed record EventPage(IReadOnlyList<IngestedEvent> Events, EventCursor? Next)
{
    /// <summary>
    /// Stores fetch one event more than the limit to learn whether another page exists
    /// without a second query; this drops it and points the cursor at the last kept event.
    /// </summary>
    public static EventPage FromOverfetched(List<IngestedEvent> events, int limit)
    {
        if (events.Count <= limit)
        {
            return new EventPage(events, null);
        }

        events.RemoveRange(limit, events.Count - limit);
        return new EventPage(events, EventCursor.After(events[^1]));
    }
}

/// <summary>
/// What to list: at most <see cref="Limit"/> events older than <see cref="After"/>, matching
/// every filter given. Live events only, unless <see cref="Test"/> asks for the test ones.
/// </summary>
public sealed record EventQuery(int Limit, EventCursor? After = null)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public bool Test { get; init; }

    public string? Category { get; init; }

    public string? Name { get; init; }

    public string? ContextId { get; init; }

    public string? UserId { get; init; }

    public string? Level { get; init; }

    /// <summary>A tag pair as <see cref="StoredEventJson.TagPair"/> builds it.</summary>
    public string? Tag { get; init; }

    /// <summary>Inclusive lower bound of the timestamp.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive upper bound of the timestamp.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Words that must all occur in the name or text content (prefix match on the last one).</summary>
    public IReadOnlyList<string>? Words { get; init; }
}

/// <summary>A category of a project's events and how many events it has.</summary>
public sealed record CategoryCount(string Category, long Count, DateTimeOffset LastEventAt);

/// <summary>An event with its position in the order of storage (not of its timestamp).</summary>
public sealed record PositionedEvent(long Position, IngestedEvent Event);

/// <summary>How long a project keeps its events, in days.</summary>
public sealed record RetentionPolicy(int LiveDays, int TestDays)
{
    public const int MaxDays = 36_500;

    public RetentionCutoffs CutoffsAt(DateTimeOffset now) => new(now.AddDays(-LiveDays), now.AddDays(-TestDays));
}

/// <summary>Events with a timestamp before these are expired.</summary>
public sealed record RetentionCutoffs(DateTimeOffset Live, DateTimeOffset Test);

/// <summary>What the volume of events is counted by.</summary>
public enum VolumeKey
{
    Category,
    Name,
}

/// <summary>The number of events with <see cref="Key"/> in the bucket numbered <see cref="Bucket"/> (0 = the first).</summary>
public sealed record VolumeCount(string Key, int Bucket, long Count);
