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
