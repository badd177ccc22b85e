using System.Globalization;
using System.Text.Json;
using Operational.Contracts.Events;
using Operational.ServiceDefaults.Time;
using Operational.ServiceDefaults.Validation;
using static Operational.Gateway.Ingest.Validation.EventFields;

namespace Operational.Gateway.Ingest.Validation;

/// <summary>
/// The native event format, strictly: checks an event object field by field and reports every
/// problem under the field's path (e.g. <c>actions[0].url</c>), so a client learns all of them
/// from one answer. Unknown fields are errors too: a typo such as "nmae" must not silently lose
/// data. Content kinds, actions and tags have parts of their own; other APIs' bodies are first
/// rewritten into this format (<see cref="Compatibility.OperationalEvents"/>). The limits are
/// documented in docs/api.md.
/// </summary>
internal static class EventValidator
{
    public const int MaxIdLength = 128;
    public const int MaxNameLength = 256;
    public const int MaxCategoryLength = 64;
    public const int MaxAvatarLength = 32;
    public const int MaxContentBytes = EventContent.MaxContentBytes;
    public const int MaxContextIdLength = 128;
    public const int MaxUserIdLength = 256;
    public const int MaxUrlLength = 2048;
    public const int DefaultExpireInMinutes = EventActions.DefaultExpireInMinutes;
    public const int MaxContextTimeoutSeconds = 30 * 24 * 3600;

    /// <summary>How far ahead of the gateway's clock a timestamp may be (clock skew).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);

    public static readonly IReadOnlyList<string> Fields =
        ["id", "name", "avatar", "category", "type", "content", "contextId", "contextStart", "contextEnd", "contextTimeout", "actions", "notify", "test", "userId", "tags", "level", "timestamp"];

    private static readonly DateTimeOffset EarliestTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The event, or null with every problem in <paramref name="errors"/>.</summary>
    /// <param name="warnings">What a compatibility pass changed on the way here; kept with the event.</param>
    public static EventDraft? Validate(JsonElement body, DateTimeOffset now, FieldErrors errors, IReadOnlyList<EventWarning>? warnings = null) =>
        Reading(errors, () => ValidateObject(body, now, errors, warnings));

    private static EventDraft? ValidateObject(JsonElement body, DateTimeOffset now, FieldErrors errors, IReadOnlyList<EventWarning>? warnings)
    {
        var before = errors.Count;
        if (Index(body, errors) is not { } fields)
        {
            return null;
        }

        foreach (var name in fields.Keys.Where(f => !Fields.Contains(f)))
        {
            errors.Add(name, $"is not a field of an event; the fields are {string.Join(", ", Fields)}");
        }

        var content = Present(fields, "content");
        var type = EventContent.Type(fields, content, errors);
        var clientId = ClientId(fields, errors);
        var timestamp = Timestamp(fields, now, errors);
        // Id, project and times are placeholders here: the endpoint knows them (EventDraft.ToIngested).
        var e = new IngestedEvent("", "", Name(fields, errors) ?? "", Avatar(fields, errors), Category(fields, errors),
            type is null ? null : EventContent.Check(type, content, errors), default, default)
        {
            Type = type ?? EventTypes.Text,
            ContextId = Identifier(fields, "contextId", MaxContextIdLength, errors),
            ContextStart = Flag(fields, "contextStart", errors),
            ContextEnd = Flag(fields, "contextEnd", errors),
            ContextTimeout = ContextTimeout(fields, errors),
            Actions = EventActions.Check(fields, errors),
            Notify = Flag(fields, "notify", errors),
            Test = Flag(fields, "test", errors),
            UserId = Identifier(fields, "userId", MaxUserIdLength, errors),
            Tags = EventTags.Check(fields, errors),
            Level = Level(fields, errors),
        };

        if (errors.Count != before)
        {
            return null;
        }

        return new EventDraft(clientId, timestamp, warnings is { Count: > 0 } ? e with { Warnings = warnings } : e);
    }

    private static string? ClientId(Dictionary<string, JsonElement> fields, FieldErrors errors)
    {
        if (Present(fields, "id") is not { } value)
        {
            return null;
        }

        var id = Text(value, "id", MaxIdLength, errors);
        if (id is not null && !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            errors.Add("id", "may contain only letters, digits and - _ . : (it appears in URLs)");
            return null;
        }

        if (id == "stream")
        {
            errors.Add("id", "'stream' is reserved: /v1/events/stream is the live feed");
            return null;
        }

        return id;
    }

    private static string? Name(Dictionary<string, JsonElement> fields, FieldErrors errors)
    {
        if (Present(fields, "name") is not { } value)
        {
            errors.Add("name", "is required, e.g. \"user signed up\"");
            return null;
        }

        return Text(value, "name", MaxNameLength, errors);
    }

    private static string? Category(Dictionary<string, JsonElement> fields, FieldErrors errors) =>
        Present(fields, "category") is { } value ? Text(value, "category", MaxCategoryLength, errors) : null;

    private static string? Avatar(Dictionary<string, JsonElement> fields, FieldErrors errors)
    {
        if (Present(fields, "avatar") is not { } value)
        {
            return null;
        }

        var avatar = Text(value, "avatar", MaxAvatarLength, errors);
        if (avatar is not null && (new StringInfo(avatar).LengthInTextElements != 1 || !EventFields.IsVisibleSymbol(avatar)))
        {
            errors.Add("avatar", "must be a single emoji (one character), e.g. \"🎉\"");
            return null;
        }

        return avatar;
    }

    private static int? ContextTimeout(Dictionary<string, JsonElement> fields, FieldErrors errors)
    {
        if (Present(fields, "contextTimeout") is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var seconds) || seconds is < 1 or > MaxContextTimeoutSeconds)
        {
            errors.Add("contextTimeout", $"must be a whole number of seconds from 1 to {MaxContextTimeoutSeconds} (30 days)");
            return null;
        }

        return seconds;
    }

    private static string Level(Dictionary<string, JsonElement> fields, FieldErrors errors)
    {
        if (Present(fields, "level") is not { } value)
        {
            return EventLevels.Info;
        }

        if (value.ValueKind != JsonValueKind.String || !EventLevels.All.Contains(value.GetString()!))
        {
            errors.Add("level", $"must be one of {string.Join(", ", EventLevels.All)}");
            return EventLevels.Info;
        }

        return value.GetString()!;
    }

    private static DateTimeOffset? Timestamp(Dictionary<string, JsonElement> fields, DateTimeOffset now, FieldErrors errors)
    {
        if (Present(fields, "timestamp") is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String ||
            !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
        {
            errors.Add("timestamp", "must be an ISO 8601 date and time, e.g. \"2026-11-22T08:30:00Z\"");
            return null;
        }

        if (timestamp < EarliestTimestamp || timestamp > now + MaxFutureSkew)
        {
            errors.Add("timestamp", $"must be between 2000-01-01 and {MaxFutureSkew.TotalMinutes:0} minutes from now");
            return null;
        }

        return timestamp.TruncateToMs();
    }

    private static string? Identifier(Dictionary<string, JsonElement> fields, string field, int maxLength, FieldErrors errors) =>
        Present(fields, field) is { } value ? Text(value, field, maxLength, errors) : null;
}
