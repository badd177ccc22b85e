using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Operators;

/// <summary>Operators and their sessions, owned by the gateway. SQLite (embedded) or MongoDB (distributed).</summary>
public interface IOperatorStore : IServiceStore
{
    Task<bool> AnyOperatorAsync(CancellationToken cancellationToken);

    /// <summary>Adds the operator unless the username is taken; true when this call added it.</summary>
    Task<bool> TryAddOperatorAsync(Operator account, CancellationToken cancellationToken);

    Task<Operator?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken);

    /// <summary>Every operator, oldest first.</summary>
    Task<IReadOnlyList<Operator>> ListOperatorsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the operator and every session of theirs; false when there is no such operator.</summary>
    Task<bool> DeleteOperatorAsync(string operatorId, CancellationToken cancellationToken);

    /// <summary>Replaces the password hash and ends the operator's sessions except <paramref name="keepSessionHash"/>.</summary>
    Task SetPasswordHashAsync(string operatorId, string passwordHash, string? keepSessionHash, CancellationToken cancellationToken);

    Task AddSessionAsync(OperatorSession session, CancellationToken cancellationToken);

    /// <summary>The session and its operator, whatever the session's expiry (the caller checks it).</summary>
    Task<(OperatorSession Session, Operator Operator)?> FindSessionAsync(string hash, CancellationToken cancellationToken);

    Task DeleteSessionAsync(string hash, CancellationToken cancellationToken);

    /// <summary>Forgets sessions that expired before <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
