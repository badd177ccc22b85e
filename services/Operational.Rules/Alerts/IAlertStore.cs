namespace Operational.Rules.Alerts;

public sealed record AlertPage(IReadOnlyList<AlertRecord> Alerts, string? NextCursor);

/// <summary>
/// The alerts of every rule. A store only saves what <see cref="AlertLifecycle"/> decided: each
/// change together with the messages announcing it (an outbox, read by <see cref="IAlertOutbox"/>),
/// so a change is never announced without having happened, nor happens unannounced.
/// </summary>
public interface IAlertStore
{
    /// <summary>
    /// Saves a new alert and its messages, unless it conflicts: an alert with its id exists (a
    /// redelivered event fires once), or it is open and its rule and group have an open alert
    /// already (at most one, across replicas). Returns whether it was saved.
    /// </summary>
    Task<bool> AddAsync(AlertChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the alert, asks <paramref name="decide"/> for its next step and saves the result with
    /// its messages as one change. When another replica changed the alert in between, it reads and
    /// decides again, so a step is never taken twice. Returns whether a change was saved (false for
    /// an unknown alert or when <paramref name="decide"/> returns null).
    /// </summary>
    Task<bool> UpdateAsync(string alertId, Func<AlertRecord, AlertChange?> decide, CancellationToken cancellationToken);

    Task<IReadOnlyList<AlertRecord>> OpenAlertsAsync(string ruleId, CancellationToken cancellationToken);

    /// <summary>One of the project's alerts, or null (another project's is null too); any project's when <paramref name="projectId"/> is null (a signed link names the alert alone).</summary>
    Task<AlertRecord?> GetAlertAsync(string? projectId, string alertId, CancellationToken cancellationToken);

    /// <summary>The ids of the rules that have an open alert (to find those whose rule is gone).</summary>
    Task<IReadOnlyList<string>> RulesWithOpenAlertsAsync(CancellationToken cancellationToken);

    /// <summary>The project's alerts, newest first; <paramref name="status"/> one of <see cref="AlertStatus.All"/> or null for all.</summary>
    Task<AlertPage> ListAlertsAsync(string projectId, string? status, string? ruleId, int limit, string? cursor, CancellationToken cancellationToken);
}

/// <summary>A message saved with the change it announces, published afterwards; <see cref="Id"/> is the store's own.</summary>
public sealed record OutboxMessage(string Id, object Message);

/// <summary>The messages <see cref="IAlertStore"/> saved with alert changes, until they are published.</summary>
public interface IAlertOutbox
{
    /// <summary>Queued messages, oldest first (in the order they were queued for the same alert).</summary>
    Task<IReadOnlyList<OutboxMessage>> PendingMessagesAsync(int limit, CancellationToken cancellationToken);

    Task RemoveMessagesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);
}
