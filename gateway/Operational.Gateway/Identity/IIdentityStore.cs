using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Identity;

/// <summary>Projects and API keys, owned by the gateway. SQLite (embedded) or MongoDB (distributed).</summary>
public interface IIdentityStore : IServiceStore
{
    Task<bool> AnyKeyAsync(CancellationToken cancellationToken);

    /// <summary>Creates the project unless one with its id exists; true when this call created it.</summary>
    Task<bool> TryCreateProjectAsync(Project project, CancellationToken cancellationToken);

    /// <summary>Adds the key unless one with the same hash exists; true when this call added it.</summary>
    Task<bool> TryAddKeyAsync(ApiKey key, CancellationToken cancellationToken);

    Task<ApiKey?> FindKeyByHashAsync(string hash, CancellationToken cancellationToken);

    /// <summary>Every project, oldest first.</summary>
    Task<IReadOnlyList<Project>> ListProjectsAsync(CancellationToken cancellationToken);

    Task<Project?> GetProjectAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>Marks the project and every key of it revoked; false when there is no such live project.</summary>
    Task<bool> RevokeProjectAsync(string projectId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The project's keys, newest first (never the secrets: only prefix and hash are stored).</summary>
    Task<IReadOnlyList<ApiKey>> ListKeysAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>Revokes the key if it belongs to <paramref name="projectId"/> and is live; false otherwise.</summary>
    Task<bool> RevokeKeyAsync(string projectId, string keyId, DateTimeOffset at, CancellationToken cancellationToken);
}
