using System.Text.Json;
using Operational.ServiceDefaults.Validation;

namespace Operational.Storage.Users;

/// <summary>
/// Users and groups, kept by the store that keeps the events: first and last seen and counts are
/// updated in the same transaction as the events they come from (see <c>IEventStore.AppendAsync</c>).
/// </summary>
public interface IUserStore
{
    /// <summary>Merges <paramref name="properties"/> into the user's (creating the user); null with the reason in <paramref name="errors"/>.</summary>
    Task<UserRecord?> IdentifyAsync(string projectId, string userId, JsonElement properties, DateTimeOffset now, FieldErrors errors, CancellationToken cancellationToken);

    Task<UserRecord?> GetUserAsync(string projectId, string userId, CancellationToken cancellationToken);

    Task<UserPage> ListUsersAsync(string projectId, UserQuery query, CancellationToken cancellationToken);

    /// <summary>Merges the group's properties and, with a user, makes the user a member; null with the reason in <paramref name="errors"/>.</summary>
    Task<GroupRecord?> GroupAsync(string projectId, string groupId, string? userId, JsonElement? properties, DateTimeOffset now, FieldErrors errors, CancellationToken cancellationToken);

    Task<GroupRecord?> GetGroupAsync(string projectId, string groupId, CancellationToken cancellationToken);
}
