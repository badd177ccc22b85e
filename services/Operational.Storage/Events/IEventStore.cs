using Operational.Contracts.Events;
using Operational.ServiceDefaults.Storage;

namespace Operational.Storage.Events;

/// <summary>
/// The events of every project. Implementations: SQLite (embedded) and MongoDB
/// (distributed); both pass the same contract tests. Every read is scoped to one project.
/// </summary>
public interface IEventStore : IServiceStore
{
    /// <summary>
    /// Stores the batch atomically where the provider allows. An event whose (project, id)
    /// is already stored is skipped, so redelivered batches are harmless.
    /// </summary>
    /// <returns>How many events were new.</returns>
    Task<int> AppendAsync(IReadOnlyList<IngestedEvent> events, CancellationToken cancellationToken);

    Task<IngestedEvent?> GetAsync(string projectId, string id, CancellationToken cancellationToken);

    /// <summary>Newest first (timestamp, then id, descending), filtered as the query says.</summary>
    Task<EventPage> ListAsync(string projectId, EventQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Events of the project in the order they were stored, after <paramref name="afterPosition"/>
    /// and not among <paramref name="skip"/> (positions a stream already sent while re-reading its
    /// <see cref="LiveFeedOverlap"/>): what the live feed reads. Skipped positions do not count
    /// against <paramref name="limit"/>, so every read makes progress.
    /// </summary>
    Task<IReadOnlyList<PositionedEvent>> ReadStoredAfterAsync(
        string projectId, long afterPosition, int limit, IReadOnlyCollection<long> skip, CancellationToken cancellationToken);

    /// <summary>A position at or after the project's latest stored event (0 when none is stored): where a stream that starts now begins.</summary>
    Task<long> LatestPositionAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>
    /// How many positions before its last one the live feed re-reads. 0 where positions become
    /// visible strictly in order (SQLite's single writer); more where concurrent writers may
    /// commit a lower position after a higher one (MongoDB), so that a late one is not skipped.
    /// </summary>
    long LiveFeedOverlap { get; }

    /// <summary>
    /// Deletes up to <paramref name="limit"/> events (with their tags, search entries and category
    /// counts) whose timestamp is before the cutoff for their kind: the project's own from
    /// <paramref name="overrides"/>, else the defaults. Returns how many were deleted; call again
    /// until it returns less than the limit.
    /// </summary>
    Task<int> DeleteExpiredAsync(RetentionCutoffs defaults, IReadOnlyDictionary<string, RetentionCutoffs> overrides, int limit, CancellationToken cancellationToken);

    Task<RetentionPolicy?> GetRetentionAsync(string projectId, CancellationToken cancellationToken);

    Task SetRetentionAsync(string projectId, RetentionPolicy policy, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, RetentionPolicy>> RetentionOverridesAsync(CancellationToken cancellationToken);

    /// <summary>The project's categories with their event counts, live or test events.</summary>
    Task<IReadOnlyList<CategoryCount>> CategoriesAsync(string projectId, bool test, CancellationToken cancellationToken);

    /// <summary>
    /// How many events per <paramref name="by"/> key fell in each bucket of <paramref name="bucket"/>
    /// from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive): what the
    /// dashboard's charts draw. Events without a category count under the empty key.
    /// </summary>
    Task<IReadOnlyList<VolumeCount>> VolumeAsync(string projectId, bool test, VolumeKey by, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, CancellationToken cancellationToken);
}
