using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Identity;

/// <summary>Projects and API keys, owned by the gateway. SQLite (embedded) or MongoDB (distributed).</summary>
public interface IIdentityStore : IStoragePing
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<bool> AnyKeyAsync(CancellationToken cancellationToken);

    /// <summary>Creates the project unless one with its id exists; true when this call created it.</summary>
    Task<bool> TryCreateProjectAsync(Project project, CancellationToken cancellationToken);

    /// <summary>Adds the key unless one with the same hash exists; true when this call added it.</summary>
    Task<bool> TryAddKeyAsync(ApiKey key, CancellationToken cancellationToken);

    Task<ApiKey?> FindKeyByHashAsync(string hash, CancellationToken cancellationToken);
}
