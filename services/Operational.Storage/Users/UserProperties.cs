using System.Text.Json;
using System.Text.Json.Nodes;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Users;

/// <summary>
/// The properties of a user (or a group): a flat object of string, number and boolean values that
/// each identify merges into — a key given again replaces its value, <c>null</c> removes it, keys not
/// given stay. The rules live here so every API that identifies (native, LogSnag, Operational) and
/// both stores apply the same ones.
/// </summary>
public static class UserProperties
{
    public const int MaxProperties = 100;
    public const int MaxKeyLength = 64;
    public const int MaxStringLength = 1024;
    public const int MaxIdLength = 256;

    /// <summary>A user or group id as the events' <c>userId</c>: 1–256 characters, no control characters.</summary>
    public static bool IsValidId(string? id) => id is { Length: > 0 and <= MaxIdLength } && !id.Any(char.IsControl) && id.Trim().Length == id.Length;

    /// <summary>Checks <paramref name="changes"/> (an object) and names each mistake under <paramref name="field"/>.</summary>
    public static void Validate(JsonElement changes, string field, FieldErrors errors)
    {
        if (changes.ValueKind != JsonValueKind.Object)
        {
            errors.Add(field, "must be an object of key → string, number, boolean or null");
            return;
        }

        foreach (var property in changes.EnumerateObject())
        {
            var name = $"{field}.{property.Name}";
            if (property.Name.Length is 0 or > MaxKeyLength || !property.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                errors.Add(name, $"keys are 1–{MaxKeyLength} of A–Z a–z 0–9 - _ .");
            }
            else if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                errors.Add(name, "must be a string, number, boolean or null (null removes it)");
            }
            else if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.Length > MaxStringLength)
            {
                errors.Add(name, $"must be at most {MaxStringLength} characters");
            }
        }
    }

    /// <summary>The merged properties, or null with the reason in <paramref name="errors"/> when there would be too many.</summary>
    public static JsonObject? Merge(JsonObject? current, JsonElement changes, string field, FieldErrors errors)
    {
        var merged = current?.DeepClone().AsObject() ?? new JsonObject();
        foreach (var property in changes.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                merged.Remove(property.Name);
            }
            else
            {
                merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }

        if (merged.Count > MaxProperties)
        {
            errors.Add(field, $"would give {merged.Count} properties; at most {MaxProperties} are kept");
            return null;
        }

        return merged;
    }

    /// <summary>Whether a stored value equals the <c>key:value</c> a search asked for (numbers and booleans by their JSON text).</summary>
    public static bool Matches(JsonObject properties, string key, string value) =>
        properties[key] is JsonValue stored && (stored.GetValueKind() == JsonValueKind.String ? stored.GetValue<string>() == value : stored.ToJsonString() == value);
}
