using Operational.Contracts.Events;
using Operational.ServiceDefaults.Storage;

namespace Operational.Storage.Events;

/// <summary>
/// The events of every project. Implementations: SQLite (embedded) and MongoDB
/// (distributed); both pass the same contract tests. Every read is scoped to one project.
/// </summary>
public interface IEventStore : IStoragePing
{
    /// <summary>Creates tables or collections and indexes; safe to call on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores the batch atomically where the provider allows. An event whose (project, id)
    /// is already stored is skipped, so redelivered batches are harmless.
    /// </summary>
    /// <returns>How many events were new.</returns>
    Task<int> AppendAsync(IReadOnlyList<IngestedEvent> events, CancellationToken cancellationToken);

    Task<IngestedEvent?> GetAsync(string projectId, string id, CancellationToken cancellationToken);

    /// <summary>Newest first (timestamp, then id, descending), filtered as the query says.</summary>
    Task<EventPage> ListAsync(string projectId, EventQuery query, CancellationToken cancellationToken);

    /// <summary>The project's categories with their event counts, live or test events.</summary>
    Task<IReadOnlyList<CategoryCount>> CategoriesAsync(string projectId, bool test, CancellationToken cancellationToken);
}
