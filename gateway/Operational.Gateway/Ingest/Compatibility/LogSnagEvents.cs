using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest.Validation;
using Operational.ServiceDefaults.Validation;

namespace Operational.Gateway.Ingest.Compatibility;

/// <summary>
/// LogSnag's <c>POST /v1/log</c> body in the native format: <c>channel</c> → category, <c>event</c>
/// → name, <c>description</c> → content, <c>icon</c> → avatar (a <c>:shortcode:</c> becomes its
/// emoji), <c>notify</c>, <c>tags</c>, <c>user_id</c> → userId, <c>timestamp</c> (Unix seconds) →
/// timestamp. <c>project</c> is ignored (the key names the project); <c>parser: "markdown"</c> is
/// kept as text, with a warning. Unknown fields are dropped with a warning, as for Operational's
/// API. The native validator then checks the result, and its errors are renamed back to LogSnag's
/// fields.
/// </summary>
internal static class LogSnagEvents
{
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["channel"] = "category",
        ["event"] = "name",
        ["description"] = "content",
        ["icon"] = "avatar",
        ["notify"] = "notify",
        ["tags"] = "tags",
        ["user_id"] = "userId",
        ["timestamp"] = "timestamp",
    };

    public static EventDraft? Validate(JsonElement body, DateTimeOffset now, FieldErrors errors)
    {
        var draft = CompatibleBodies.Validate(body, now, errors, ToNative);
        foreach (var (logSnag, native) in Renamed)
        {
            errors.Rename(native, logSnag);
        }

        return draft;
    }

    internal static JsonElement? ToNative(JsonElement body, FieldErrors errors, List<EventWarning> warnings)
    {
        var before = errors.Count;
        if (EventFields.Index(body, errors) is not { } fields || errors.Count != before)
        {
            return null;
        }

        var native = new JsonObject();
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case "project":
                    break;
                case "parser":
                    if (value.ValueKind == JsonValueKind.String && value.GetString() == "markdown")
                    {
                        warnings.Add(new EventWarning("parser", "markdown is shown as plain text"));
                    }
                    else if (value.ValueKind != JsonValueKind.String || value.GetString() != "text")
                    {
                        warnings.Add(new EventWarning("parser", "is \"markdown\" or \"text\"; ignored", value.GetRawText()));
                    }

                    break;
                case "icon":
                    Icon(value, native, warnings);
                    break;
                case "timestamp":
                    Timestamp(value, native, errors);
                    break;
                case var known when Renamed.TryGetValue(known, out var field):
                    native[field] = JsonNode.Parse(value.GetRawText());
                    break;
                default:
                    warnings.Add(new EventWarning(name, "is not a LogSnag log field; ignored"));
                    break;
            }
        }

        if (native["category"] is null)
        {
            errors.Add("channel", "is required: the channel (category) of the event");
        }

        return errors.Count == before ? JsonSerializer.SerializeToElement(native) : null;
    }

    /// <summary>An emoji stays; a <c>:shortcode:</c> LogSnag would show becomes its emoji, or is dropped with a warning.</summary>
    private static void Icon(JsonElement value, JsonObject native, List<EventWarning> warnings)
    {
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } icon)
        {
            warnings.Add(new EventWarning("icon", "is not an emoji; ignored", value.GetRawText()));
            return;
        }

        if (icon.Length > 2 && icon.StartsWith(':') && icon.EndsWith(':'))
        {
            if (EmojiShortcodes.Find(icon[1..^1]) is { } emoji)
            {
                native["avatar"] = emoji;
            }
            else
            {
                warnings.Add(new EventWarning("icon", "is a shortcode Operational does not know; use the emoji itself", icon));
            }

            return;
        }

        native["avatar"] = icon;
    }

    /// <summary>LogSnag's timestamp is Unix seconds (fractions allowed); the native one is ISO 8601.</summary>
    private static void Timestamp(JsonElement value, JsonObject native, FieldErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) || seconds < 946_684_800 || seconds > 32_503_680_000)
        {
            errors.Add("timestamp", "must be a Unix timestamp in seconds from 2000 on");
            return;
        }

        native["timestamp"] = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)).ToString("O", CultureInfo.InvariantCulture);
    }
}
