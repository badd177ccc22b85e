using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Operational.Contracts.Events;
using Operational.Gateway.Ingest.Validation;
using Operational.ServiceDefaults.Validation;

namespace Operational.Gateway.Ingest.Compatibility;

/// <summary>
/// Operational's Events API (<c>/api/v1/log</c>, <c>/api/v1/ingest</c>) accepts what Operational
/// accepts. This pass rewrites such a body into the native format, recording each change as a
/// warning kept with the event; the native validator then checks the result, so both APIs share
/// one set of rules and limits. What it changes, as Operational does: name and category are
/// truncated (the full value is kept in the warning), a nameless event takes the first line of
/// its text content, an avatar keeps its first character, truthy values (1, "1") are flags,
/// numeric ids become strings, text content that is not a string is stored as json, and fields
/// Operational does not have are dropped (unknown ones with a warning; <c>muted</c>, and the native
/// <c>tags</c>, <c>level</c> and <c>timestamp</c>, silently).
/// </summary>
internal static class OperationalEvents
{
    /// <summary>Operational's own limits, applied by truncation.</summary>
    public const int NameLength = 48;
    public const int CategoryLength = 24;

    private static readonly HashSet<string> Flags = ["contextStart", "contextEnd", "notify", "test"];
    private static readonly HashSet<string> Ignored = ["muted", "tags", "level", "timestamp"];

    public static EventDraft? Validate(JsonElement body, DateTimeOffset now, FieldErrors errors) => CompatibleBodies.Validate(body, now, errors, ToNative);

    /// <summary>The body in the native format, or null when it is no usable object (the reason is in <paramref name="errors"/>).</summary>
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
            if (Ignored.Contains(name))
            {
                continue;
            }

            if (!EventValidator.Fields.Contains(name))
            {
                warnings.Add(new EventWarning(name, "is not an Operational event field; ignored"));
                continue;
            }

            native[name] = name switch
            {
                _ when Flags.Contains(name) => Truthy(value),
                "contextId" or "userId" when value.ValueKind == JsonValueKind.Number => value.GetRawText(),
                "actions" => Actions(value),
                _ => JsonNode.Parse(value.GetRawText()),
            };
        }

        var content = EventFields.Present(fields, "content");
        Type(native, content, warnings);
        Name(native, content, warnings);
        Avatar(native, warnings);
        Truncated(native, "category", CategoryLength, warnings);
        if (Text(native["type"]) == EventTypes.Rows && native["content"] is JsonArray rows)
        {
            foreach (var row in rows.OfType<JsonObject>())
            {
                foreach (var extra in row.Select(p => p.Key).Where(k => k is not ("label" or "content" or "type")).ToList())
                {
                    row.Remove(extra);
                }
            }
        }

        return JsonSerializer.SerializeToElement(native);
    }

    /// <summary>Without a type, or typed text, content that is not text is stored as json.</summary>
    private static void Type(JsonObject native, JsonElement? content, List<EventWarning> warnings)
    {
        var declared = Text(native["type"]);
        var structured = content is { ValueKind: not JsonValueKind.String };
        if (structured && (native["type"] is null || declared == EventTypes.Text))
        {
            native["type"] = EventTypes.Json;
            warnings.Add(new EventWarning("type", "content is not text; stored as json"));
        }
    }

    private static void Name(JsonObject native, JsonElement? content, List<EventWarning> warnings)
    {
        if (native["name"] is null)
        {
            // Operational accepts an event with content but no name; the feed still needs a title.
            if (content is { ValueKind: JsonValueKind.String } text && FirstLine(text.GetString()!) is { Length: > 0 } line)
            {
                warnings.Add(new EventWarning("name", "was missing; taken from the first line of content"));
                native["name"] = Truncate(line, NameLength);
            }

            return;
        }

        Truncated(native, "name", NameLength, warnings);
    }

    /// <summary>A text field longer than Operational allows is cut there, saying so; one the native rules refuse is left for them to name.</summary>
    private static void Truncated(JsonObject native, string field, int length, List<EventWarning> warnings)
    {
        if (Text(native[field]) is not { } given)
        {
            return;
        }

        var text = given.Trim();
        if (text.Length == 0 || text.Any(char.IsControl))
        {
            return;
        }

        var cut = Truncate(text, length);
        if (cut.Length != text.Length)
        {
            warnings.Add(new EventWarning(field, $"truncated to {length} characters as Operational does; the full value is kept here", text));
        }

        native[field] = cut;
    }

    /// <summary>Operational stores any string; keep the first character and say so rather than refuse the event.</summary>
    private static void Avatar(JsonObject native, List<EventWarning> warnings)
    {
        if (native["avatar"] is null)
        {
            native.Remove("avatar");
            return;
        }

        if (Text(native["avatar"])?.Trim() is not { Length: > 0 } given)
        {
            warnings.Add(new EventWarning("avatar", "is not a non-empty string; ignored"));
            native.Remove("avatar");
            return;
        }

        var first = StringInfo.GetNextTextElement(given);
        if (!EventFields.IsVisibleSymbol(first))
        {
            warnings.Add(new EventWarning("avatar", "does not start with a visible character; ignored", given));
            native.Remove("avatar");
            return;
        }

        if (first.Length != given.Length)
        {
            warnings.Add(new EventWarning("avatar", "must be one emoji; only the first character is kept", given));
        }

        if (first.Length <= EventValidator.MaxAvatarLength)
        {
            native["avatar"] = first;
        }
        else
        {
            native.Remove("avatar");
        }
    }

    /// <summary>Actions keep their own fields; Operational ignores others, and its flags may be truthy values.</summary>
    private static JsonNode? Actions(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            return JsonNode.Parse(value.GetRawText());
        }

        var actions = new JsonArray();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                actions.Add(JsonNode.Parse(item.GetRawText()));
                continue;
            }

            var action = new JsonObject();
            foreach (var property in item.EnumerateObject().Where(p => EventActions.Fields.Contains(p.Name)))
            {
                action[property.Name] = property.Name is "external" or "repeat" ? Truthy(property.Value) : JsonNode.Parse(property.Value.GetRawText());
            }

            actions.Add(action);
        }

        return actions;
    }

    /// <summary>Operational treats any truthy value as true; PHP clients commonly send 1 or "1".</summary>
    private static JsonNode? Truthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.GetRawText() is not ("0" or "0.0"),
        JsonValueKind.String => value.GetString() is { Length: > 0 } s && s is not ("0" or "false"),
        _ => true,
    };

    /// <summary>The node's string, or null when it is something else.</summary>
    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static string Truncate(string text, int length)
    {
        var info = new StringInfo(text);
        return info.LengthInTextElements <= length ? text : info.SubstringByTextElements(0, length).TrimEnd();
    }

    /// <summary>The first line of text content, as a title: control characters (tabs) become spaces.</summary>
    private static string FirstLine(string text)
    {
        var line = text.Trim();
        var end = line.IndexOfAny(['\r', '\n']);
        line = end < 0 ? line : line[..end];
        return new string(line.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
    }
}
