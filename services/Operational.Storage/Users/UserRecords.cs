using System.Text.Json.Nodes;

namespace Operational.Storage.Users;

/// <summary>
/// A user as the project knows it: from its events (first and last seen, how many — live events
/// only, each counted once however often it is delivered) and from identify (properties, groups).
/// </summary>
public sealed record UserRecord(
    string ProjectId,
    string UserId,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    long EventCount,
    JsonObject Properties,
    IReadOnlyList<string> Groups,
    DateTimeOffset? IdentifiedAt);

/// <summary>Which users <c>GET /v1/users</c> lists: a part of the id, a property's value.</summary>
public sealed record UserQuery(string? Search, string? PropertyKey, string? PropertyValue, int Limit, UserCursor? After);

/// <summary>Where a page of users ends: users are listed by last seen, newest first, then id.</summary>
public sealed record UserCursor(long LastSeen, string UserId);

public sealed record UserPage(IReadOnlyList<UserRecord> Users, UserCursor? Next);

/// <summary>A group (a company, a team) of users, with properties of its own.</summary>
public sealed record GroupRecord(string ProjectId, string GroupId, JsonObject Properties, long Members, DateTimeOffset UpdatedAt);
