using System.Text.Json;

namespace Operational.Storage.Events;

/// <summary>An event as the storage service keeps and serves it.</summary>
public sealed record StoredEvent(
    string Id,
    string ProjectId,
    string Name,
    string? Avatar,
    string? Category,
    JsonElement? Content,
    DateTimeOffset Timestamp,
    DateTimeOffset ReceivedAt)
{
    /// <summary>Content is kept as the JSON text the client sent; this turns it back into a value.</summary>
    public static JsonElement ParseContent(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>A page of events, newest first; <see cref="Next"/> continues after the last one.</summary>
public sealed record EventPage(IReadOnlyList<StoredEvent> Events, EventCursor? Next)
{
    /// <summary>
    /// Stores fetch one event more than the limit to learn whether another page exists
    /// without a second query; this drops it and points the cursor at the last kept event.
    /// </summary>
    public static EventPage FromOverfetched(List<StoredEvent> events, int limit)
    {
        if (events.Count <= limit)
        {
            return new EventPage(events, null);
        }

        events.RemoveRange(limit, events.Count - limit);
        return new EventPage(events, EventCursor.After(events[^1]));
    }
}

/// <summary>What to list: at most <see cref="Limit"/> events older than <see cref="After"/>.</summary>
public sealed record EventQuery(int Limit, EventCursor? After = null)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
}
