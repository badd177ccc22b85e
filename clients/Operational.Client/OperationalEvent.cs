using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Operational.Client;

/// <summary>
/// One event, with every field of Operational's Events API (<c>POST /v1/events</c>). Only
/// <see cref="Name"/> is required; the client gives it an <see cref="Id"/> if it has none, so a
/// retried batch is stored once.
/// </summary>
public sealed record OperationalEvent(string Name)
{
    /// <summary>The idempotency key; a UUIDv7 made by the client when left null.</summary>
    public string? Id { get; init; }

    /// <summary>Groups events in the feed, e.g. <c>billing</c>.</summary>
    public string? Category { get; init; }

    /// <summary>A single emoji.</summary>
    public string? Avatar { get; init; }

    /// <summary>Shaped by <see cref="Type"/>: a string for text and image, rows, or any JSON.</summary>
    public JsonNode? Content { get; init; }

    /// <summary><c>text</c> (default), <c>rows</c>, <c>json</c> or <c>image</c>.</summary>
    public string? Type { get; init; }

    /// <summary><c>info</c> (default), <c>success</c>, <c>warning</c> or <c>error</c>.</summary>
    public string? Level { get; init; }

    /// <summary>Key → string, number or boolean.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? Tags { get; init; }

    /// <summary>Your own id of the user the event is about.</summary>
    public string? UserId { get; init; }

    /// <summary>Links the events of one flow (a cron run, a signup).</summary>
    public string? ContextId { get; init; }

    /// <summary>Seconds without an event after which the open context counts as stalled (1–2,592,000; default the project's).</summary>
    public int? ContextTimeout { get; init; }

    /// <summary>Up to 10 buttons shown with the event.</summary>
    public IReadOnlyList<EventAction>? Actions { get; init; }

    /// <summary>This event opens its context.</summary>
    public bool? ContextStart { get; init; }

    /// <summary>This event closes its context (failed when its level is error).</summary>
    public bool? ContextEnd { get; init; }

    /// <summary>Ask for a push notification.</summary>
    public bool? Notify { get; init; }

    /// <summary>A test event: hidden from feeds unless asked for.</summary>
    public bool? Test { get; init; }

    /// <summary>When it happened; the server's receive time when null.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>An event whose content is text.</summary>
    public static OperationalEvent Text(string name, string content) => new(name) { Content = JsonValue.Create(content) };
}

/// <summary>A button on an event: the server calls <see cref="Url"/> when it is pressed, or the browser opens it when <see cref="External"/>.</summary>
/// <param name="ButtonText">Its label (≤ 48 characters).</param>
/// <param name="Url">An absolute http(s) URL.</param>
public sealed record EventAction(string ButtonText, string Url)
{
    /// <summary>Names the action (≤ 64 characters); required unless <see cref="External"/>.</summary>
    public string? Key { get; init; }

    /// <summary>A link opened in the browser rather than a call made by the server.</summary>
    public bool? External { get; init; }

    /// <summary>May be pressed more than once.</summary>
    public bool? Repeat { get; init; }

    /// <summary>Minutes it can be pressed for (1–525,600; default 7 days).</summary>
    public int? ExpireIn { get; init; }

    /// <summary>Any JSON (≤ 4 KiB) sent along when it is pressed.</summary>
    public JsonNode? Meta { get; init; }
}

/// <summary>What became of a batch sent with <see cref="OperationalClient.SendBatchAsync"/>.</summary>
/// <param name="Status">The HTTP status: 200 all taken, 503 some <c>unavailable</c>, 0 no answer, else the batch was refused as a whole.</param>
/// <param name="Items">Each event in request order, when the server reported them.</param>
/// <param name="RetryAfter">How long the server asked to wait before resending.</param>
/// <param name="Error">Why the batch as a whole was refused or not answered.</param>
public sealed record BatchResult(int Status, IReadOnlyList<BatchItemResult> Items, TimeSpan? RetryAfter, string? Error);

/// <summary>One event of a batch.</summary>
/// <param name="Index">Its place in the request.</param>
/// <param name="Status"><c>accepted</c>, <c>duplicate</c>, <c>invalid</c> or <c>unavailable</c>.</param>
/// <param name="Id">Its id.</param>
/// <param name="Errors">Why it is invalid, by field.</param>
public sealed record BatchItemResult(int Index, string Status, string? Id, IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>What the server made of one event sent with <c>waitForDelivery: true</c>.</summary>
/// <param name="Accepted">Stored (or already stored: <paramref name="Duplicate"/>).</param>
/// <param name="Id">The event's id (made by the client when it had none).</param>
/// <param name="Duplicate">The id was sent before: stored once.</param>
/// <param name="Status">The HTTP status, or 0 when the server could not be reached.</param>
/// <param name="Error">Why not, when not accepted.</param>
public sealed record DeliveryResult(bool Accepted, string? Id, bool Duplicate, int Status, string? Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OperationalEvent))]
[JsonSerializable(typeof(BatchRequest))]
[JsonSerializable(typeof(BatchResponse))]
[JsonSerializable(typeof(AcceptedResponse))]
[JsonSerializable(typeof(StoredEvent))]
[JsonSerializable(typeof(EventPage))]
internal sealed partial class ClientJson : JsonSerializerContext;

internal sealed record BatchRequest(IReadOnlyList<OperationalEvent> Events);

internal sealed record BatchResponse(int Accepted, int Duplicate, int Invalid, int Unavailable, IReadOnlyList<BatchItem> Results);

internal sealed record BatchItem(int Index, string Status, string? Id, IReadOnlyDictionary<string, string[]>? Errors);

internal sealed record AcceptedResponse(string Id, bool? Duplicate);
