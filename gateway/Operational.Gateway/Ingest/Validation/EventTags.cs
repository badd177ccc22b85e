using System.Text.Json;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Validation;
using static Operational.Gateway.Ingest.Validation.EventFields;

namespace Operational.Gateway.Ingest.Validation;

/// <summary>An event's tags: up to 32 keys, each a string, number or boolean.</summary>
internal static class EventTags
{
    public const int MaxTags = 32;
    public const int MaxTagValueLength = 256;

    public static Dictionary<string, JsonElement>? Check(IReadOnlyDictionary<string, JsonElement> fields, FieldErrors errors)
    {
        if (Present(fields, "tags") is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("tags", "must be an object of key → string, number or boolean, e.g. {\"plan\": \"pro\", \"seats\": 5}");
            return null;
        }

        var tags = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var tag in value.EnumerateObject())
        {
            var at = $"tags.{tag.Name}";
            if (!TagKeys.IsValid(tag.Name))
            {
                errors.Add(at, $"tag keys are 1 to {TagKeys.MaxLength} letters, digits, - _ or .");
            }
            else if (tag.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add(at, $"must be a string, number or boolean, not {Describe(tag.Value.ValueKind)}");
            }
            else if (tag.Value.ValueKind == JsonValueKind.String && tag.Value.GetString()!.Length > MaxTagValueLength)
            {
                errors.Add(at, $"must be at most {MaxTagValueLength} characters");
            }
            else if (!tags.TryAdd(tag.Name, tag.Value.Clone()))
            {
                errors.Add(at, "appears more than once");
            }
        }

        if (tags.Count > MaxTags)
        {
            errors.Add("tags", $"must have at most {MaxTags} entries; it has {tags.Count}");
        }

        return tags.Count == 0 ? null : tags;
    }
}
