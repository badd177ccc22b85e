using System.Text;
using System.Text.Json;
using Operational.Contracts.Events;

namespace Operational.Storage.Events;

/// <summary>
/// How the stores keep the structured parts of an event: content, actions, tags and warnings
/// as JSON text (BSON or SQLite numbers would not round-trip every JSON number), tags also as
/// <c>key=value</c> pairs to filter on, and the text that full-text search covers.
/// </summary>
public static class StoredEventJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Longest text indexed for search per event; the rest is still stored and returned.</summary>
    public const int MaxSearchTextLength = 4096;

    public static JsonElement ParseContent(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static string? Serialize<T>(T? value) where T : class => value is null ? null : JsonSerializer.Serialize(value, Options);

    public static T? Deserialize<T>(string? json) where T : class => json is null ? null : JsonSerializer.Deserialize<T>(json, Options);

    /// <summary><c>key=value</c> with the value as its JSON scalar text (strings unquoted): what <c>tag=key:value</c> matches.</summary>
    public static IEnumerable<string> TagPairs(IngestedEvent e) =>
        e.Tags?.Select(t => TagPair(t.Key, TagValueText(t.Value))) ?? [];

    public static string TagPair(string key, string value) => key + "=" + value;

    private static string TagValueText(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    /// <summary>Name, then the text content (a text event's content, and the text rows of a rows event).</summary>
    public static string SearchText(IngestedEvent e)
    {
        var text = new StringBuilder(e.Name);
        if (e.Content is { } content)
        {
            if (e.Type == EventTypes.Text && content.ValueKind == JsonValueKind.String)
            {
                text.Append(' ').Append(content.GetString());
            }
            else if (e.Type == EventTypes.Rows && content.ValueKind == JsonValueKind.Array)
            {
                foreach (var row in content.EnumerateArray())
                {
                    var isText = !row.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() == EventTypes.Text;
                    if (row.TryGetProperty("label", out var label) && label.ValueKind == JsonValueKind.String)
                    {
                        text.Append(' ').Append(label.GetString());
                    }

                    if (isText && row.TryGetProperty("content", out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        text.Append(' ').Append(value.GetString());
                    }
                }
            }
        }

        return text.Length <= MaxSearchTextLength ? text.ToString() : text.ToString(0, MaxSearchTextLength);
    }
}

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
