using System.Text.Json;
using Operational.Contracts.Events;

namespace Operational.Storage.Query;

/// <summary>An event as the read API returns it; absent optional fields are left out.</summary>
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
    public static EventResponse From(IngestedEvent e) => new(
        e.Id, e.ProjectId, e.Name, e.Avatar, e.Category, e.Type, e.Content, e.ContextId, e.ContextStart, e.ContextEnd, e.ContextTimeout, e.Actions,
        e.Notify, e.Test, e.UserId, e.Tags, e.Level, e.Timestamp, e.ReceivedAt, e.Backfilled, e.Warnings);
}

/// <summary>A page of events; pass <see cref="NextCursor"/> as <c>cursor</c> to get the next one. Null on the last page.</summary>
public sealed record EventListResponse(IReadOnlyList<EventResponse> Events, string? NextCursor);

/// <summary>The answer of <c>GET /v1/categories</c>.</summary>
public sealed record CategoryListResponse(IReadOnlyList<CategoryCountResponse> Categories);

public sealed record CategoryCountResponse(string Name, long Count, DateTimeOffset LastEventAt);
