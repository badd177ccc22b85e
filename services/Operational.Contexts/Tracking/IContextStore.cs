using Operational.ServiceDefaults.Storage;

namespace Operational.Contexts.Tracking;

/// <summary>
/// The contexts of every project, kept as the set of their entries plus the state folded from
/// them. Implementations: SQLite (embedded) and MongoDB (distributed); both pass the same
/// contract tests, including the one that applies entries in random orders from two replicas.
/// </summary>
public interface IContextStore : IServiceStore
{
    /// <summary>
    /// Adds the entries to their contexts. An event id a context already has is ignored, so
    /// redelivered and duplicated events are harmless; the result does not depend on the order
    /// or grouping of calls, nor on how many replicas make them.
    /// </summary>
    /// <returns>Whether a context it changed has an announcement due now (a completion or failure); stalls come due with time.</returns>
    Task<bool> ApplyAsync(IReadOnlyList<ContextEntryFor> entries, CancellationToken cancellationToken);

    Task<ContextRecord?> GetAsync(string projectId, string contextId, CancellationToken cancellationToken);

    /// <summary>Newest first (first event time, then context id, both descending), filtered as the query says.</summary>
    Task<ContextPage> ListAsync(string projectId, ContextQuery query, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> records whose announcement is due at
    /// <paramref name="now"/> and not claimed by another replica, for <paramref name="lease"/>.
    /// A claim that is not completed (the replica died) expires and is claimed again.
    /// </summary>
    Task<IReadOnlyList<ContextRecord>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="announcement"/> was published and releases the claim.</summary>
    Task MarkAnnouncedAsync(string projectId, string contextId, string announcement, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="limit"/> contexts whose last event is before
    /// <paramref name="cutoff"/>, with their entries; returns how many. Call again until it returns
    /// less than the limit.
    /// </summary>
    Task<int> DeleteInactiveAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken);

    /// <summary>The project's own default timeout in seconds, or null when it uses the configured one.</summary>
    Task<int?> GetDefaultTimeoutAsync(string projectId, CancellationToken cancellationToken);

    /// <summary>Sets the project's default timeout and moves the stall time of its open contexts that did not declare their own.</summary>
    Task SetDefaultTimeoutAsync(string projectId, int seconds, CancellationToken cancellationToken);
}

/// <summary>
/// Which contexts to list: at most <see cref="Limit"/> after <see cref="After"/>. Live contexts
/// only unless <see cref="Test"/>.
/// </summary>
public sealed record ContextQuery(int Limit, ContextCursor? After = null)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public bool Test { get; init; }

    /// <summary>One of <see cref="ContextStatus.All"/>.</summary>
    public string? Status { get; init; }

    public string? Category { get; init; }

    /// <summary>Contexts with an event at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Contexts with an event before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Case-insensitive text the title contains.</summary>
    public string? TitleContains { get; init; }
}

public sealed record ContextPage(IReadOnlyList<ContextRecord> Contexts, ContextCursor? Next)
{
    /// <summary>Stores fetch one record more than the limit to learn whether another page exists.</summary>
    public static ContextPage FromOverfetched(List<ContextRecord> records, int limit)
    {
        if (records.Count <= limit)
        {
            return new ContextPage(records, null);
        }

        records.RemoveRange(limit, records.Count - limit);
        var last = records[^1];
        return new ContextPage(records, new ContextCursor(last.State.FirstEventAt.ToUnixTimeMilliseconds(), last.ContextId));
    }
}
