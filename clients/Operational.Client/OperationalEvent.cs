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

internal sealed record BatchItem(int Index, string Status, string? Id);

internal sealed record AcceptedResponse(string Id, bool? Duplicate);
