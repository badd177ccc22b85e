using System.Globalization;
using System.Text;
using System.Text.Json;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Time;

namespace Operational.Gateway.Ingest;

/// <summary>Which API the event came through; the compatibility endpoint is lenient where Operational is.</summary>
internal enum EventDialect
{
    /// <summary><c>/v1/events</c>: strict; every problem is a 400 naming the field.</summary>
    Native,

    /// <summary>
    /// <c>/api/v1/log</c>: accepts what Operational accepts, truncating name and category as
    /// Operational does but recording a warning with the full value, and ignoring unknown fields.
    /// </summary>
    Operational,
}

/// <summary>
/// Checks an event object field by field and reports every problem under the field's path
/// (e.g. <c>actions[0].url</c>),
/// so a client learns all of them from one answer. In the native API unknown fields are errors
/// too: a typo such as "nmae" must not silently lose data. The limits are documented in docs/api.md.
/// </summary>
internal static class EventValidator
{
    public const int MaxIdLength = 128;
    public const int MaxNameLength = 256;
    public const int MaxCategoryLength = 64;
    public const int MaxAvatarLength = 32;
    public const int MaxContentBytes = 32 * 1024;
    public const int MaxContextIdLength = 128;
    public const int MaxUserIdLength = 256;
    public const int MaxRows = 100;
    public const int MaxRowLabelLength = 128;
    public const int MaxActions = 10;
    public const int MaxActionKeyLength = 64;
    public const int MaxButtonTextLength = 48;
    public const int MaxUrlLength = 2048;
    public const int MaxActionMetaBytes = 4 * 1024;
    public const int DefaultExpireInMinutes = 7 * 24 * 60;
    public const int MaxExpireInMinutes = 365 * 24 * 60;
    public const int MaxTags = 32;
    public const int MaxTagKeyLength = 64;
    public const int MaxTagValueLength = 256;
    public const int MaxContextTimeoutSeconds = 30 * 24 * 3600;

    /// <summary>How far ahead of the gateway's clock a timestamp may be (clock skew).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);

    /// <summary>Operational's own limits, applied by truncation on the compatibility endpoint.</summary>
    public const int OperationalNameLength = 48;
    public const int OperationalCategoryLength = 24;

    private static readonly string[] NativeFields =
        ["id", "name", "avatar", "category", "type", "content", "contextId", "contextStart", "contextEnd", "contextTimeout", "actions", "notify", "test", "userId", "tags", "level", "timestamp"];

    private static readonly DateTimeOffset EarliestTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static EventDraft? Validate(JsonElement body, EventDialect dialect, DateTimeOffset now, IDictionary<string, string[]> errors)
    {
        try
        {
            return ValidateObject(body, dialect, now, errors);
        }
        catch (InvalidOperationException e) when (e.InnerException is ArgumentException or DecoderFallbackException || e.Message.Contains("UTF-16", StringComparison.Ordinal))
        {
            // A string escape such as "\ud800" that decodes to no valid character.
            errors["body"] = ["contains a string that is not valid Unicode (e.g. an unpaired surrogate escape)"];
            return null;
        }
    }

    private static EventDraft? ValidateObject(JsonElement body, EventDialect dialect, DateTimeOffset now, IDictionary<string, string[]> errors)
    {
        var check = new Check(dialect, errors);
        if (body.ValueKind != JsonValueKind.Object)
        {
            check.Error("body", $"must be a JSON object describing the event, not {Describe(body.ValueKind)}");
            return null;
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (!fields.TryAdd(property.Name, property.Value))
            {
                check.Error(property.Name, "appears more than once");
            }
        }

        foreach (var name in fields.Keys.Where(f => !NativeFields.Contains(f)))
        {
            if (dialect == EventDialect.Native)
            {
                check.Error(name, $"is not a field of an event; the fields are {string.Join(", ", NativeFields)}");
            }
            else if (name != "muted")
            {
                check.Warn(name, "is not an Operational event field; ignored");
            }
        }

        var content = Present(fields, "content");
        var type = ValidateType(fields, content, check);
        var clientId = ClientId(fields, check);
        var timestamp = dialect == EventDialect.Native ? Timestamp(fields, now, check) : null;
        // Id, project and times are placeholders here: the endpoint knows them (EventDraft.ToIngested).
        var e = new IngestedEvent("", "", Name(fields, content, check) ?? "", Avatar(fields, check), Category(fields, check),
            type is null ? null : ValidateContent(type, content, check), default, default)
        {
            Type = type ?? EventTypes.Text,
            ContextId = Identifier(fields, "contextId", MaxContextIdLength, check),
            ContextStart = Flag(fields, "contextStart", check),
            ContextEnd = Flag(fields, "contextEnd", check),
            ContextTimeout = ContextTimeout(fields, check),
            Actions = Actions(fields, check),
            Notify = Flag(fields, "notify", check),
            Test = Flag(fields, "test", check),
            UserId = Identifier(fields, "userId", MaxUserIdLength, check),
            Tags = dialect == EventDialect.Native ? Tags(fields, check) : null,
            Level = dialect == EventDialect.Native ? Level(fields, check) : EventLevels.Info,
        };

        if (!check.Valid)
        {
            return null;
        }

        return new EventDraft(clientId, timestamp, check.Warnings.Count == 0 ? e : e with { Warnings = check.Warnings });
    }

    private static JsonElement? Present(Dictionary<string, JsonElement> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? ClientId(Dictionary<string, JsonElement> fields, Check check)
    {
        if (Present(fields, "id") is not { } value)
        {
            return null;
        }

        var id = Text(value, "id", MaxIdLength, check);
        if (id is not null && !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            check.Error("id", "may contain only letters, digits and - _ . : (it appears in URLs)");
            return null;
        }

        if (id == "stream")
        {
            check.Error("id", "'stream' is reserved: /v1/events/stream is the live feed");
            return null;
        }

        return id;
    }

    private static string? Name(Dictionary<string, JsonElement> fields, JsonElement? content, Check check)
    {
        if (Present(fields, "name") is not { } value)
        {
            // Operational accepts an event with content but no name; the feed still needs a title.
            if (check.Dialect == EventDialect.Operational && content is { ValueKind: JsonValueKind.String } text &&
                FirstLine(text.GetString()!) is { Length: > 0 } line)
            {
                check.Warn("name", "was missing; taken from the first line of content");
                return Truncate(line, "name", OperationalNameLength, check, warn: false);
            }

            check.Error("name", "is required, e.g. \"user signed up\"");
            return null;
        }

        if (check.Dialect == EventDialect.Operational && value.ValueKind == JsonValueKind.String)
        {
            var name = CleanText(value.GetString()!, "name", int.MaxValue, check);
            return name is null ? null : Truncate(name, "name", OperationalNameLength, check, warn: true);
        }

        return Text(value, "name", MaxNameLength, check);
    }

    private static string? Category(Dictionary<string, JsonElement> fields, Check check)
    {
        if (Present(fields, "category") is not { } value)
        {
            return null;
        }

        if (check.Dialect == EventDialect.Operational && value.ValueKind == JsonValueKind.String)
        {
            var category = CleanText(value.GetString()!, "category", int.MaxValue, check);
            return category is null ? null : Truncate(category, "category", OperationalCategoryLength, check, warn: true);
        }

        return Text(value, "category", MaxCategoryLength, check);
    }

    private static string Truncate(string text, string field, int length, Check check, bool warn)
    {
        var info = new StringInfo(text);
        if (info.LengthInTextElements <= length)
        {
            return text;
        }

        if (warn)
        {
            check.Warn(field, $"truncated to {length} characters as Operational does; the full value is kept here", text);
        }

        return info.SubstringByTextElements(0, length).TrimEnd();
    }

    private static string? Avatar(Dictionary<string, JsonElement> fields, Check check)
    {
        if (Present(fields, "avatar") is not { } value)
        {
            return null;
        }

        if (check.Dialect == EventDialect.Operational)
        {
            // Operational stores any string; keep the first character and say so rather than refuse the event.
            if (value.ValueKind != JsonValueKind.String || value.GetString()!.Trim() is not { Length: > 0 } given)
            {
                check.Warn("avatar", "is not a non-empty string; ignored");
                return null;
            }

            var first = StringInfo.GetNextTextElement(given);
            if (first.Length != given.Length)
            {
                check.Warn("avatar", "must be one emoji; only the first character is kept", given);
            }

            return first.Length <= MaxAvatarLength ? first : null;
        }

        var avatar = Text(value, "avatar", MaxAvatarLength, check);
        if (avatar is not null && new StringInfo(avatar).LengthInTextElements != 1)
        {
            check.Error("avatar", "must be a single emoji (one character), e.g. \"🎉\"");
            return null;
        }

        return avatar;
    }

    private static string? ValidateType(Dictionary<string, JsonElement> fields, JsonElement? content, Check check)
    {
        if (Present(fields, "type") is not { } value)
        {
            // Without a type: text for a string (or nothing), json for any other value.
            return content is null or { ValueKind: JsonValueKind.String } ? EventTypes.Text : check.Dialect == EventDialect.Native
                ? EventTypes.Json
                : ImplicitJson(check);
        }

        if (value.ValueKind != JsonValueKind.String || !EventTypes.All.Contains(value.GetString()!))
        {
            check.Error("type", $"must be one of {string.Join(", ", EventTypes.All)}");
            return null;
        }

        var type = value.GetString()!;
        if (type == EventTypes.Text && content is { ValueKind: not JsonValueKind.String } && check.Dialect == EventDialect.Operational)
        {
            return ImplicitJson(check);
        }

        return type;
    }

    private static string ImplicitJson(Check check)
    {
        check.Warn("type", "content is not text; stored as json");
        return EventTypes.Json;
    }

    private static JsonElement? ValidateContent(string type, JsonElement? content, Check check)
    {
        if (content is not { } value)
        {
            if (type is EventTypes.Rows or EventTypes.Image)
            {
                check.Error("content", type == EventTypes.Rows ? "is required for rows: [{\"label\": \"Plan\", \"content\": \"pro\"}]" : "is required for an image: its URL");
            }

            return null;
        }

        if (value.GetRawText().Length > MaxContentBytes)
        {
            check.Error("content", $"must be at most {MaxContentBytes} bytes of JSON");
            return null;
        }

        switch (type)
        {
            case EventTypes.Text when value.ValueKind != JsonValueKind.String:
                check.Error("content", $"must be a string when type is text, not {Describe(value.ValueKind)}; use type json for structured content");
                return null;
            case EventTypes.Image:
                return Url(value, "content", check) is null ? null : value.Clone();
            case EventTypes.Rows:
                return Rows(value, check) ? value.Clone() : null;
            default:
                return value.Clone();
        }
    }

    private static bool Rows(JsonElement value, Check check)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > MaxRows)
        {
            check.Error("content", $"must be an array of 1 to {MaxRows} rows when type is rows");
            return false;
        }

        var valid = true;
        var index = 0;
        foreach (var row in value.EnumerateArray())
        {
            var at = $"content[{index++}]";
            if (row.ValueKind != JsonValueKind.Object)
            {
                check.Error(at, "must be an object {\"label\", \"content\", \"type\"}");
                valid = false;
                continue;
            }

            var rowType = EventTypes.Text;
            foreach (var property in row.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "label":
                        valid &= property.Value.ValueKind == JsonValueKind.Null || Text(property.Value, $"{at}.label", MaxRowLabelLength, check) is not null;
                        break;
                    case "type" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() == EventTypes.Rows:
                        check.Error($"{at}.type", "rows cannot contain rows");
                        valid = false;
                        break;
                    case "type" when property.Value.ValueKind == JsonValueKind.String && EventTypes.All.Contains(property.Value.GetString()!):
                        rowType = property.Value.GetString()!;
                        break;
                    case "type":
                        check.Error($"{at}.type", "must be one of text, json, image");
                        valid = false;
                        break;
                    case "content":
                        break;
                    default:
                        if (check.Dialect == EventDialect.Native)
                        {
                            check.Error($"{at}.{property.Name}", "is not a field of a row; the fields are label, content, type");
                            valid = false;
                        }

                        break;
                }
            }

            if (row.TryGetProperty("content", out var rowContent) && rowContent.ValueKind != JsonValueKind.Null)
            {
                if (rowType == EventTypes.Image)
                {
                    valid &= Url(rowContent, $"{at}.content", check) is not null;
                }
                else if (rowType == EventTypes.Text && rowContent.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    // Numbers and booleans are shown as text ("Failed jobs: 3"); structures need type json.
                    check.Error($"{at}.content", $"must be a string, number or boolean when the row's type is text, not {Describe(rowContent.ValueKind)}; use \"type\": \"json\" for structured values");
                    valid = false;
                }
            }
        }

        return valid;
    }

    private static IReadOnlyList<EventAction>? Actions(Dictionary<string, JsonElement> fields, Check check)
    {
        if (Present(fields, "actions") is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MaxActions)
        {
            check.Error("actions", $"must be an array of at most {MaxActions} actions");
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
            var at = $"actions[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                check.Error(at, "must be an object {\"key\", \"buttonText\", \"url\"}");
                continue;
            }

            var action = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in item.EnumerateObject())
            {
                if (property.Name is "key" or "buttonText" or "url" or "external" or "repeat" or "expireIn" or "meta")
                {
                    action[property.Name] = property.Value;
                }
                else if (check.Dialect == EventDialect.Native)
                {
                    check.Error($"{at}.{property.Name}", "is not a field of an action; the fields are key, buttonText, url, external, repeat, expireIn, meta");
                }
            }

            var external = Flag(action, "external", check, at);
            var key = Present(action, "key") is { } k ? Text(k, $"{at}.key", MaxActionKeyLength, check) : null;
            if (Present(action, "key") is null && !external)
            {
                check.Error($"{at}.key", "is required unless the action is external");
            }

            var buttonText = Present(action, "buttonText") is { } b ? Text(b, $"{at}.buttonText", MaxButtonTextLength, check) : null;
            if (Present(action, "buttonText") is null)
            {
                check.Error($"{at}.buttonText", "is required, e.g. \"Ban user\"");
            }

            var url = Present(action, "url") is { } u ? Url(u, $"{at}.url", check) : null;
            if (Present(action, "url") is null)
            {
                check.Error($"{at}.url", "is required: the https URL called when the button is pressed");
            }

            var expireIn = DefaultExpireInMinutes;
            if (Present(action, "expireIn") is { } e)
            {
                if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out expireIn) || expireIn is < 1 or > MaxExpireInMinutes)
                {
                    check.Error($"{at}.expireIn", $"must be a whole number of minutes from 1 to {MaxExpireInMinutes}");
                }
            }

            JsonElement? meta = null;
            if (Present(action, "meta") is { } m)
            {
                if (m.GetRawText().Length > MaxActionMetaBytes)
                {
                    check.Error($"{at}.meta", $"must be at most {MaxActionMetaBytes} bytes of JSON");
                }
                else
                {
                    meta = m.Clone();
                }
            }

            if (buttonText is not null && url is not null)
            {
                actions.Add(new EventAction(key, buttonText, url, external, Flag(action, "repeat", check, at), expireIn, meta));
            }
        }

        return actions;
    }

    private static Dictionary<string, JsonElement>? Tags(Dictionary<string, JsonElement> fields, Check check)
    {
        if (Present(fields, "tags") is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            check.Error("tags", "must be an object of key → string, number or boolean, e.g. {\"plan\": \"pro\", \"seats\": 5}");
            return null;
        }

        var tags = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var tag in value.EnumerateObject())
        {
            var at = $"tags.{tag.Name}";
            if (tag.Name.Length is 0 or > MaxTagKeyLength || !tag.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                check.Error(at, $"tag keys are 1 to {MaxTagKeyLength} letters, digits, - _ or .");
            }
            else if (tag.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                check.Error(at, $"must be a string, number or boolean, not {Describe(tag.Value.ValueKind)}");
            }
            else if (tag.Value.ValueKind == JsonValueKind.String && tag.Value.GetString()!.Length > MaxTagValueLength)
            {
                check.Error(at, $"must be at most {MaxTagValueLength} characters");
            }
            else if (!tags.TryAdd(tag.Name, tag.Value.Clone()))
            {
                check.Error(at, "appears more than once");
            }
        }

        if (tags.Count > MaxTags)
        {
            check.Error("tags", $"must have at most {MaxTags} entries; it has {tags.Count}");
        }

        return tags.Count == 0 ? null : tags;
    }

    private static int? ContextTimeout(Dictionary<string, JsonElement> fields, Check check)
    {
        if (Present(fields, "contextTimeout") is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var seconds) || seconds is < 1 or > MaxContextTimeoutSeconds)
        {
            check.Error("contextTimeout", $"must be a whole number of seconds from 1 to {MaxContextTimeoutSeconds} (30 days)");
            return null;
        }

        return seconds;
    }

    private static string Level(Dictionary<string, JsonElement> fields, Check check)
    {
        if (Present(fields, "level") is not { } value)
        {
            return EventLevels.Info;
        }

        if (value.ValueKind != JsonValueKind.String || !EventLevels.All.Contains(value.GetString()!))
        {
            check.Error("level", $"must be one of {string.Join(", ", EventLevels.All)}");
            return EventLevels.Info;
        }

        return value.GetString()!;
    }

    private static DateTimeOffset? Timestamp(Dictionary<string, JsonElement> fields, DateTimeOffset now, Check check)
    {
        if (Present(fields, "timestamp") is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String ||
            !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
        {
            check.Error("timestamp", "must be an ISO 8601 date and time, e.g. \"2026-11-22T08:30:00Z\"");
            return null;
        }

        if (timestamp < EarliestTimestamp || timestamp > now + MaxFutureSkew)
        {
            check.Error("timestamp", $"must be between 2000-01-01 and {MaxFutureSkew.TotalMinutes:0} minutes from now");
            return null;
        }

        return timestamp.TruncateToMs();
    }

    private static string? Identifier(Dictionary<string, JsonElement> fields, string field, int maxLength, Check check)
    {
        if (Present(fields, field) is not { } value)
        {
            return null;
        }

        // Operational's SDKs send numeric ids as numbers (e.g. a database id as contextId).
        if (check.Dialect == EventDialect.Operational && value.ValueKind == JsonValueKind.Number)
        {
            return value.GetRawText();
        }

        return Text(value, field, maxLength, check);
    }

    private static bool Flag(Dictionary<string, JsonElement> fields, string field, Check check, string? parent = null)
    {
        if (Present(fields, field) is not { } value)
        {
            return false;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
        }

        // Operational treats any truthy value as true; PHP clients commonly send 1 or "1".
        if (check.Dialect == EventDialect.Operational)
        {
            return value.ValueKind switch
            {
                JsonValueKind.Number => value.GetRawText() is not ("0" or "0.0"),
                JsonValueKind.String => value.GetString() is { Length: > 0 } s && s is not ("0" or "false"),
                _ => true,
            };
        }

        check.Error(parent is null ? field : $"{parent}.{field}", $"must be true or false, not {Describe(value.ValueKind)}");
        return false;
    }

    private static string? Url(JsonElement value, string field, Check check)
    {
        var text = Text(value, field, MaxUrlLength, check);
        if (text is not null && !(Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            check.Error(field, "must be an absolute http or https URL");
            return null;
        }

        return text;
    }

    private static string? Text(JsonElement value, string field, int maxLength, Check check)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            check.Error(field, $"must be a string, not {Describe(value.ValueKind)}");
            return null;
        }

        return CleanText(value.GetString()!, field, maxLength, check);
    }

    private static string? CleanText(string text, string field, int maxLength, Check check)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            check.Error(field, "must not be empty");
            return null;
        }

        if (text.Length > maxLength)
        {
            check.Error(field, $"must be at most {maxLength} characters; it has {text.Length}");
            return null;
        }

        if (text.Any(char.IsControl))
        {
            check.Error(field, "must not contain control characters such as line breaks or tabs");
            return null;
        }

        return text;
    }

    private static string FirstLine(string text)
    {
        var line = text.Trim();
        var end = line.IndexOfAny(['\r', '\n']);
        return (end < 0 ? line : line[..end]).Trim();
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

    /// <summary>Collects the errors and warnings of one event.</summary>
    private sealed class Check(EventDialect dialect, IDictionary<string, string[]> errors)
    {
        private readonly int _errorsBefore = errors.Count;

        public EventDialect Dialect => dialect;

        public List<EventWarning> Warnings { get; } = [];

        public bool Valid => errors.Count == _errorsBefore;

        public void Error(string field, string message) =>
            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

        public void Warn(string field, string message, string? original = null) => Warnings.Add(new EventWarning(field, message, original));
    }
}
