using System.Text.Json;
using Operational.Storage.Events;

namespace Operational.Storage.Query;

public sealed record EventResponse(
    string Id,
    string Project,
    string Name,
    string? Avatar,
    string? Category,
    JsonElement? Content,
    DateTimeOffset Timestamp,
    DateTimeOffset ReceivedAt)
{
    public static EventResponse From(StoredEvent e) =>
        new(e.Id, e.ProjectId, e.Name, e.Avatar, e.Category, e.Content, e.Timestamp, e.ReceivedAt);
}

/// <summary>A page of events; pass <see cref="NextCursor"/> as <c>cursor</c> to get the next one. Null on the last page.</summary>
public sealed record EventListResponse(IReadOnlyList<EventResponse> Events, string? NextCursor);
