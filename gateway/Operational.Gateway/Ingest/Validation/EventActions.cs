using System.Text.Json;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Validation;
using static Operational.Gateway.Ingest.Validation.EventFields;

namespace Operational.Gateway.Ingest.Validation;

/// <summary>An event's buttons: each with a label and a URL, a key unless it only opens its URL, an expiry.</summary>
internal static class EventActions
{
    public const int MaxActions = 10;
    public const int MaxActionKeyLength = 64;
    public const int MaxButtonTextLength = 48;
    public const int MaxActionMetaBytes = 4 * 1024;
    public const int DefaultExpireInMinutes = 7 * 24 * 60;
    public const int MaxExpireInMinutes = 365 * 24 * 60;

    public static readonly IReadOnlyList<string> Fields = ["key", "buttonText", "url", "external", "repeat", "expireIn", "meta"];

    public static IReadOnlyList<EventAction>? Check(IReadOnlyDictionary<string, JsonElement> fields, FieldErrors errors)
    {
        if (Present(fields, "actions") is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MaxActions)
        {
            errors.Add("actions", $"must be an array of at most {MaxActions} actions");
            return null;
        }

        if (value.GetArrayLength() == 0)
        {
            return null;
        }

        var actions = new List<EventAction>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (Action(item, $"actions[{index++}]", errors) is { } action)
            {
                actions.Add(action);
            }
        }

        return actions;
    }

    private static EventAction? Action(JsonElement item, string at, FieldErrors errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(at, "must be an object {\"key\", \"buttonText\", \"url\"}");
            return null;
        }

        var action = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            if (Fields.Contains(property.Name))
            {
                action[property.Name] = property.Value;
            }
            else
            {
                errors.Add($"{at}.{property.Name}", $"is not a field of an action; the fields are {string.Join(", ", Fields)}");
            }
        }

        var external = Flag(action, "external", errors, at);
        var key = Present(action, "key") is { } k ? Text(k, $"{at}.key", MaxActionKeyLength, errors) : null;
        if (Present(action, "key") is null && !external)
        {
            errors.Add($"{at}.key", "is required unless the action is external");
        }

        var buttonText = Present(action, "buttonText") is { } b ? Text(b, $"{at}.buttonText", MaxButtonTextLength, errors) : null;
        if (Present(action, "buttonText") is null)
        {
            errors.Add($"{at}.buttonText", "is required, e.g. \"Ban user\"");
        }

        var url = Present(action, "url") is { } u ? Url(u, $"{at}.url", EventValidator.MaxUrlLength, errors) : null;
        if (Present(action, "url") is null)
        {
            errors.Add($"{at}.url", "is required: the https URL called when the button is pressed");
        }

        var expireIn = DefaultExpireInMinutes;
        if (Present(action, "expireIn") is { } e &&
            (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out expireIn) || expireIn is < 1 or > MaxExpireInMinutes))
        {
            errors.Add($"{at}.expireIn", $"must be a whole number of minutes from 1 to {MaxExpireInMinutes}");
        }

        JsonElement? meta = null;
        if (Present(action, "meta") is { } m)
        {
            if (m.GetRawText().Length > MaxActionMetaBytes)
            {
                errors.Add($"{at}.meta", $"must be at most {MaxActionMetaBytes} bytes of JSON");
            }
            else
            {
                meta = m.Clone();
            }
        }

        var repeat = Flag(action, "repeat", errors, at);
        return buttonText is not null && url is not null ? new EventAction(key, buttonText, url, external, repeat, expireIn, meta) : null;
    }
}
