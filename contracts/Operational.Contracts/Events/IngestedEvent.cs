using System.Text.Json;

namespace Operational.Contracts.Events;

/// <summary>
/// An event as the gateway accepted it: validated, owned by a project and given an id.
/// New members are added as optional ones only (init properties with defaults), so older
/// consumers keep working with newer gateways.
/// </summary>
/// <param name="Id">Client-supplied idempotency key or a server UUIDv7; unique within the project.</param>
/// <param name="ProjectId">The project the ingesting API key belongs to.</param>
/// <param name="Name">What happened, e.g. "user signed up".</param>
/// <param name="Avatar">A single emoji shown next to the event.</param>
/// <param name="Category">Free-form grouping shown as a channel in the feed.</param>
/// <param name="Content">Shaped by <see cref="Type"/>: a string for text and image, rows, or any JSON value.</param>
/// <param name="Timestamp">When the event happened (millisecond precision, UTC).</param>
/// <param name="ReceivedAt">When the gateway accepted it (millisecond precision, UTC).</param>
public sealed record IngestedEvent(
    string Id,
    string ProjectId,
    string Name,
    string? Avatar,
    string? Category,
    JsonElement? Content,
    DateTimeOffset Timestamp,
    DateTimeOffset ReceivedAt)
{
    /// <summary>How <see cref="Content"/> is shaped; one of <see cref="EventTypes"/>.</summary>
    public string Type { get; init; } = EventTypes.Text;

    /// <summary>Links the events of one flow (one cron run, one signup).</summary>
    public string? ContextId { get; init; }

    /// <summary>This event opens its context.</summary>
    public bool ContextStart { get; init; }

    /// <summary>This event closes its context (completed, or failed when its level is error).</summary>
    public bool ContextEnd { get; init; }

    /// <summary>Seconds of silence after which an open context counts as stalled; null for the project's default.</summary>
    public int? ContextTimeout { get; init; }

    /// <summary>Buttons an operator can press on the event.</summary>
    public IReadOnlyList<EventAction>? Actions { get; init; }

    /// <summary>The sender asks for a push notification.</summary>
    public bool Notify { get; init; }

    /// <summary>A test event: hidden from feeds unless asked for, kept for a shorter time.</summary>
    public bool Test { get; init; }

    /// <summary>The sender's own id of the user the event is about.</summary>
    public string? UserId { get; init; }

    /// <summary>Key → string, number or boolean.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Tags { get; init; }

    /// <summary>One of <see cref="EventLevels"/>.</summary>
    public string Level { get; init; } = EventLevels.Info;

    /// <summary>
    /// The sender gave a timestamp clearly in the past: the event is history being loaded,
    /// so it never notifies and never triggers alerts meant for live events.
    /// </summary>
    public bool Backfilled { get; init; }

    /// <summary>What the gateway changed while accepting the event (e.g. a truncation for compatibility).</summary>
    public IReadOnlyList<EventWarning>? Warnings { get; init; }
}

/// <summary>A button on an event.</summary>
/// <param name="Key">Identifies the action to the sender; required unless <paramref name="External"/>.</param>
/// <param name="ButtonText">The label, at most 48 characters.</param>
/// <param name="Url">Called (or, when external, opened) when the button is pressed.</param>
/// <param name="External">Opens <paramref name="Url"/> in the browser instead of calling it.</param>
/// <param name="Repeat">May be pressed more than once.</param>
/// <param name="ExpireIn">Minutes after the event during which the button works.</param>
/// <param name="Meta">Any JSON sent back with the call.</param>
public sealed record EventAction(
    string? Key,
    string ButtonText,
    string Url,
    bool External,
    bool Repeat,
    int ExpireIn,
    JsonElement? Meta);

/// <summary>Something the gateway changed, with the value the client sent.</summary>
/// <param name="Field">The field, e.g. "name".</param>
/// <param name="Message">What was done, e.g. "truncated to 48 characters as Operational does".</param>
/// <param name="Original">The value as sent, when it is not the stored one.</param>
public sealed record EventWarning(string Field, string Message, string? Original = null);

/// <summary>How an event's content is shaped.</summary>
public static class EventTypes
{
    /// <summary>Content is a string.</summary>
    public const string Text = "text";

    /// <summary>Content is an array of rows <c>{label, content, type}</c>; a row is never rows itself.</summary>
    public const string Rows = "rows";

    /// <summary>Content is any JSON value.</summary>
    public const string Json = "json";

    /// <summary>Content is the http(s) URL of an image.</summary>
    public const string Image = "image";

    /// <summary>Every type.</summary>
    public static readonly IReadOnlyList<string> All = [Text, Rows, Json, Image];
}

/// <summary>How an event is colored in the feed and what rules can match on.</summary>
public static class EventLevels
{
    /// <summary>The default.</summary>
    public const string Info = "info";

    /// <summary>Something went well.</summary>
    public const string Success = "success";

    /// <summary>Needs attention.</summary>
    public const string Warning = "warning";

    /// <summary>Something failed.</summary>
    public const string Error = "error";

    /// <summary>Every level.</summary>
    public static readonly IReadOnlyList<string> All = [Info, Success, Warning, Error];
}
