using System.Globalization;
using System.Text.Json;

namespace Operational.Gateway.Ingest;

/// <summary>The fields of one valid event, as the client sent them (strings trimmed).</summary>
internal sealed record EventFields(string Name, string? Avatar, string? Category, JsonElement? Content);

/// <summary>
/// Checks an event object field by field and reports every problem under the field's name,
/// so a client learns all of them from one answer. Unknown fields are errors too: a typo
/// such as "nmae" must not silently lose data. The limits are documented in docs/api.md.
/// </summary>
internal static class EventValidator
{
    public const int MaxNameLength = 256;
    public const int MaxCategoryLength = 64;
    public const int MaxAvatarLength = 32;
    public const int MaxContentBytes = 32 * 1024;

    private static readonly string[] KnownFields = ["name", "avatar", "category", "content"];

    public static EventFields? Validate(JsonElement body, IDictionary<string, string[]> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = [$"must be a JSON object describing the event, not {Describe(body.ValueKind)}"];
            return null;
        }

        string? name = null, avatar = null, category = null;
        JsonElement? content = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var property in body.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                errors[property.Name] = ["appears more than once"];
                continue;
            }

            switch (property.Name)
            {
                case "name":
                    name = RequiredText(property.Value, "name", MaxNameLength, errors);
                    break;
                case "avatar":
                    avatar = OptionalText(property.Value, "avatar", MaxAvatarLength, errors);
                    if (avatar is not null && new StringInfo(avatar).LengthInTextElements != 1)
                    {
                        errors["avatar"] = ["must be a single emoji (one character), e.g. \"🎉\""];
                        avatar = null;
                    }

                    break;
                case "category":
                    category = OptionalText(property.Value, "category", MaxCategoryLength, errors);
                    break;
                case "content":
                    if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        if (property.Value.GetRawText().Length > MaxContentBytes)
                        {
                            errors["content"] = [$"must be at most {MaxContentBytes} bytes of JSON"];
                        }
                        else
                        {
                            content = property.Value.Clone();
                        }
                    }

                    break;
                default:
                    errors[property.Name] = [$"is not a field of an event; the fields are {string.Join(", ", KnownFields)}"];
                    break;
            }
        }

        if (!seen.Contains("name"))
        {
            errors["name"] = ["is required, e.g. \"user signed up\""];
        }

        return errors.Count == 0 && name is not null ? new EventFields(name, avatar, category, content) : null;
    }

    private static string? RequiredText(JsonElement value, string field, int maxLength, IDictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors[field] = [$"must be a string, not {Describe(value.ValueKind)}"];
            return null;
        }

        return CheckText(value.GetString()!, field, maxLength, errors);
    }

    private static string? OptionalText(JsonElement value, string field, int maxLength, IDictionary<string, string[]> errors) =>
        value.ValueKind == JsonValueKind.Null ? null : RequiredText(value, field, maxLength, errors);

    private static string? CheckText(string text, string field, int maxLength, IDictionary<string, string[]> errors)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            errors[field] = ["must not be empty"];
            return null;
        }

        if (text.Length > maxLength)
        {
            errors[field] = [$"must be at most {maxLength} characters; it has {text.Length}"];
            return null;
        }

        if (text.Any(char.IsControl))
        {
            errors[field] = ["must not contain control characters such as line breaks or tabs"];
            return null;
        }

        return text;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
