using Operational.ServiceDefaults.Storage;

namespace Operational.Gateway.Ingest.Duplicates;

/// <summary>
/// The client-supplied event ids the gateway accepted recently, so that sending the same id
/// again is answered "duplicate" without publishing it. Storage dedupes by id on its own
/// (forever); this only serves the answer, for <c>Ingest:DuplicateWindow</c>. Two concurrent
/// requests with one id may both be answered "accepted": storage still keeps one event.
/// </summary>
public interface IEventIdLedger : IServiceStore
{
    /// <summary>Which of <paramref name="ids"/> the project already sent.</summary>
    Task<IReadOnlySet<string>> FindAsync(string projectId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>Remembers ids whose events the broker confirmed; ids already known are left as they are.</summary>
    Task RecordAsync(string projectId, IReadOnlyCollection<string> ids, DateTimeOffset acceptedAt, CancellationToken cancellationToken);

    /// <summary>Forgets ids accepted before <paramref name="before"/>, at most <paramref name="max"/> at a time.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, int max, CancellationToken cancellationToken);
}
