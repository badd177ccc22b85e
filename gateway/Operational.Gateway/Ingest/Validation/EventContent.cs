using System.Text.Json;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Validation;
using static Operational.Gateway.Ingest.Validation.EventFields;

namespace Operational.Gateway.Ingest.Validation;

/// <summary>An event's <c>type</c> and the content each type takes: text, json, rows, image.</summary>
internal static class EventContent
{
    public const int MaxContentBytes = 32 * 1024;
    public const int MaxRows = 100;
    public const int MaxRowLabelLength = 128;

    /// <summary>The type given, or without one: text for a string (or nothing), json for any other value.</summary>
    public static string? Type(IReadOnlyDictionary<string, JsonElement> fields, JsonElement? content, FieldErrors errors)
    {
        if (Present(fields, "type") is not { } value)
        {
            return content is null or { ValueKind: JsonValueKind.String } ? EventTypes.Text : EventTypes.Json;
        }

        if (value.ValueKind != JsonValueKind.String || !EventTypes.All.Contains(value.GetString()!))
        {
            errors.Add("type", $"must be one of {string.Join(", ", EventTypes.All)}");
            return null;
        }

        return value.GetString()!;
    }

    /// <summary>The content, checked against its type; null when absent or wrong.</summary>
    public static JsonElement? Check(string type, JsonElement? content, FieldErrors errors)
    {
        if (content is not { } value)
        {
            if (type is EventTypes.Rows or EventTypes.Image)
            {
                errors.Add("content", type == EventTypes.Rows ? "is required for rows: [{\"label\": \"Plan\", \"content\": \"pro\"}]" : "is required for an image: its URL");
            }

            return null;
        }

        if (value.GetRawText().Length > MaxContentBytes)
        {
            errors.Add("content", $"must be at most {MaxContentBytes} bytes of JSON");
            return null;
        }

        switch (type)
        {
            case EventTypes.Text when value.ValueKind != JsonValueKind.String:
                errors.Add("content", $"must be a string when type is text, not {Describe(value.ValueKind)}; use type json for structured content");
                return null;
            case EventTypes.Image:
                return Url(value, "content", EventValidator.MaxUrlLength, errors) is null ? null : value.Clone();
            case EventTypes.Rows:
                return Rows(value, errors) ? value.Clone() : null;
            default:
                return value.Clone();
        }
    }

    private static bool Rows(JsonElement value, FieldErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > MaxRows)
        {
            errors.Add("content", $"must be an array of 1 to {MaxRows} rows when type is rows");
            return false;
        }

        var before = errors.Count;
        var index = 0;
        foreach (var row in value.EnumerateArray())
        {
            Row(row, $"content[{index++}]", errors);
        }

        return errors.Count == before;
    }

    private static void Row(JsonElement row, string at, FieldErrors errors)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            errors.Add(at, "must be an object {\"label\", \"content\", \"type\"}");
            return;
        }

        var rowType = EventTypes.Text;
        foreach (var property in row.EnumerateObject())
        {
            switch (property.Name)
            {
                case "label" when property.Value.ValueKind != JsonValueKind.Null:
                    Text(property.Value, $"{at}.label", MaxRowLabelLength, errors);
                    break;
                case "label" or "content":
                    break;
                case "type" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() == EventTypes.Rows:
                    errors.Add($"{at}.type", "rows cannot contain rows");
                    break;
                case "type" when property.Value.ValueKind == JsonValueKind.String && EventTypes.All.Contains(property.Value.GetString()!):
                    rowType = property.Value.GetString()!;
                    break;
                case "type":
                    errors.Add($"{at}.type", "must be one of text, json, image");
                    break;
                default:
                    errors.Add($"{at}.{property.Name}", "is not a field of a row; the fields are label, content, type");
                    break;
            }
        }

        if (row.TryGetProperty("content", out var content) && content.ValueKind != JsonValueKind.Null)
        {
            if (rowType == EventTypes.Image)
            {
                Url(content, $"{at}.content", EventValidator.MaxUrlLength, errors);
            }
            else if (rowType == EventTypes.Text && content.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                // Numbers and booleans are shown as text ("Failed jobs: 3"); structures need type json.
                errors.Add($"{at}.content", $"must be a string, number or boolean when the row's type is text, not {Describe(content.ValueKind)}; use \"type\": \"json\" for structured values");
            }
        }
    }
}
