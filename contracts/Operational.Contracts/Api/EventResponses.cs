using System.Text.Json;
using Operational.Contracts.Events;

namespace Operational.Contracts.Api;

// The answers of the storage service's event API (GET /v1/events, /v1/events/{id}, the live
// feed), which the contexts and notifications services read too: one type on both sides of the
// boundary, so a renamed field breaks the build rather than only the distributed deployment.

/// <summary>An event as the read API returns it; absent optional fields are left out of the JSON.</summary>
/// <param name="Id">The client's idempotency key or the server's UUIDv7.</param>
/// <param name="Project">The project it belongs to.</param>
/// <param name="Name">What happened.</param>
/// <param name="Avatar">A single emoji.</param>
/// <param name="Category">The feed channel it is shown in.</param>
/// <param name="Type">How <paramref name="Content"/> is shaped: text, json, rows or image.</param>
/// <param name="Content">The event's content.</param>
/// <param name="ContextId">The flow it is part of.</param>
/// <param name="ContextStart">It opens its context.</param>
/// <param name="ContextEnd">It closes its context.</param>
/// <param name="ContextTimeout">Seconds of silence after which its open context stalls.</param>
/// <param name="Actions">Buttons an operator can press.</param>
/// <param name="Notify">The sender asked for a push notification.</param>
/// <param name="Test">A test event.</param>
/// <param name="UserId">The sender's id of the user it is about.</param>
/// <param name="Tags">Key → string, number or boolean.</param>
/// <param name="Level">info, success, warning or error.</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="ReceivedAt">When the gateway accepted it.</param>
/// <param name="Backfilled">Its timestamp was given by the sender and lies in the past.</param>
/// <param name="Warnings">What a compatible API changed or ignored when it accepted the event.</param>
public sealed record EventResponse(
    string Id,
    string Project,
    string Name,
    string? Avatar,
    string? Category,
    string Type,
    JsonElement? Content,
    string? ContextId,
    bool ContextStart,
    bool ContextEnd,
    int? ContextTimeout,
    IReadOnlyList<EventAction>? Actions,
    bool Notify,
    bool Test,
    string? UserId,
    IReadOnlyDictionary<string, JsonElement>? Tags,
    string Level,
    DateTimeOffset Timestamp,
    DateTimeOffset ReceivedAt,
    bool Backfilled,
    IReadOnlyList<EventWarning>? Warnings)
{
    /// <summary>The answer for an event as it was ingested.</summary>
    public static EventResponse From(IngestedEvent e) => new(
        e.Id, e.ProjectId, e.Name, e.Avatar, e.Category, e.Type, e.Content, e.ContextId, e.ContextStart, e.ContextEnd, e.ContextTimeout, e.Actions,
        e.Notify, e.Test, e.UserId, e.Tags, e.Level, e.Timestamp, e.ReceivedAt, e.Backfilled, e.Warnings);
}

/// <summary>A page of events, newest first.</summary>
/// <param name="Events">The page.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last.</param>
public sealed record EventListResponse(IReadOnlyList<EventResponse> Events, string? NextCursor);
